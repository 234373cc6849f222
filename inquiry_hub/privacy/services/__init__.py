"""Privacy services: retention and purge, personal export and closure, inquiry archive, audit."""
