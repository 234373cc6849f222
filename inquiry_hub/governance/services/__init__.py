"""Services of the governance room, one module per concern; they flush, never commit."""
