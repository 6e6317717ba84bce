"""Parliament's What's On calendar: Westminster Hall e-petition debates, with their times."""
