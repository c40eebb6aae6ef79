"""Pages owned by core: sign-in and second factor, the home page, the audit log and API tokens."""

from django.urls import path

from shieldwall.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("audit/", views.audit_log, name="audit_log"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:id>/revoke/", views.token_revoke, name="token_revoke"),
]
