"""Settings modules: `base` (environment-driven), `dev` (the embedded demo), `production`, `test`."""
