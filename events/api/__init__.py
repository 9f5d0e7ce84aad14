"""The public HTTP API v1 (see DESIGN.md, "Contract: HTTP API v1")."""
