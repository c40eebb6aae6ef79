"""Project configuration: settings, URLs, the API object and the WSGI entry point."""
