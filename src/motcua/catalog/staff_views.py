"""Staff pages of the catalog (being written)."""
