"""Server-rendered workflow pages: the approvals inbox and the run views."""
