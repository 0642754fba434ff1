"""The bundled demo: synthetic Vietnamese posts, a local replay of the sites, and the whole pipeline on it."""
