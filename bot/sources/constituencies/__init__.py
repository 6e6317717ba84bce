"""Westminster constituencies from Parliament's Members API: a chat names its own."""
