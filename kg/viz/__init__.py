"""Views: self-contained pyvis pages of a built graph."""
