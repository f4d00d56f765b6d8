"""The base of HIT Portal: pieces every app shares. It imports Django and libraries only, never an app."""
