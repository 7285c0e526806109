from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask your administrator.",
    }


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app", max_length=8, min_length=6
    )
