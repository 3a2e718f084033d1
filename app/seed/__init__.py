"""Reference and demo data loaders."""
