"""Forms of the pages owned by core: sign-in second factor, API tokens and the audit-log filters."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from shieldwall.core.selectors import AuditFilters


class TokenCodeForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app", max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True,
                                      "pattern": "[0-9]*", "size": 8}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, required=False,
                           help_text="What uses the token, e.g. “nightly export script”.")
    expires_in_days = forms.IntegerField(label="Expires after (days)", initial=90, required=False,
                                         help_text="1 to 366; leave empty for a token that does not expire.")


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Actor (username)", required=False, max_length=150)
    nation = forms.CharField(label="Actor nation", required=False, max_length=3,
                             widget=forms.TextInput(attrs={"size": 4, "placeholder": "FRA"}))
    object_type = forms.CharField(label="Object type", required=False, max_length=64,
                                  widget=forms.TextInput(attrs={"placeholder": "coalition.meeting"}))
    action = forms.CharField(label="Action", required=False, max_length=64,
                             widget=forms.TextInput(attrs={"placeholder": "meeting."}))
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_valid() else {}

        def moment(day: object, offset: int = 0) -> datetime | None:
            if day is None:
                return None
            # Dates are whole days in the server's zone; `until` is exclusive the day after.
            return timezone.make_aware(datetime.combine(day, time.min)) + timedelta(days=offset)  # type: ignore[arg-type]

        return AuditFilters(
            actor=data.get("actor", "").strip(),
            nation=data.get("nation", "").strip(),
            object_type=data.get("object_type", "").strip(),
            action=data.get("action", "").strip(),
            since=moment(data.get("since")),
            until=moment(data.get("until"), 1),
        )
