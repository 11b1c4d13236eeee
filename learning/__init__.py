"""Bot learning: knowledge rows, vector store and pattern mining."""
