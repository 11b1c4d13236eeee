"""The plugin registry: MCP servers, versions and permissions."""
