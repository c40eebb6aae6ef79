"""Pages of the coalition registry."""

urlpatterns: list = []
