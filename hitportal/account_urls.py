"""Sign-in (with a second factor), sign-out, sign-up with e-mail verification, password change and reset, and the profile page."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from core import throttle
from hitportal import views
from hitportal.security import views as security_views

urlpatterns = [
    # Sign-in: the password, then a code for a login with a second factor (hitportal/security).
    path("login/", security_views.LoginView.as_view(), name="login"),
    path("login/code/", security_views.login_code, name="login-code"),
    path("login/passkey-options/", security_views.passkey_options, name="passkey-options"),
    path(
        "security/passkeys/options/", security_views.passkey_register_options, name="passkey-register-options"
    ),
    path("sso/<slug:provider_id>/login/", security_views.sso_login, name="sso-login"),
    path("sso/<slug:provider_id>/callback/", security_views.sso_callback, name="sso-callback"),
    path("security/", security_views.security, name="second-factor"),
    path("security/confirm/", security_views.confirm, name="second-factor-confirm"),
    path("security/sessions/", security_views.session_list, name="session-list"),
    path("security/sessions/<int:pk>/end/", security_views.session_end, name="session-end"),
    path("security/sign-out-others/", security_views.sign_out_others, name="sign-out-others"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        throttle.ThrottledPasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={"portal_name": settings.HITPORTAL_SITE_NAME},
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/verify/<uidb64>/<token>/", views.signup_verify, name="signup_verify"),
    path("profile/", views.profile, name="profile"),
]
