"""Pages owned by core."""

urlpatterns: list = []
