"""Parliament's written ministerial statements (the Written Questions and Statements API)."""
