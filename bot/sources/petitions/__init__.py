"""petition.parliament.uk: client (I/O), model, detect and render (pure), source (glue)."""
