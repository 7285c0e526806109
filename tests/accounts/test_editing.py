"""accounts.editing.save_form: what a page does with each outcome of saving a form."""

from types import SimpleNamespace

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from highharm.accounts.editing import conflict_context, save_form
from highharm.referrals.locking import EditConflict


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField()

    def add_service_errors(self, error):
        for key, messages in error.message_dict.items():
            for message in messages:
                self.add_error(key, message)


class Refused(Exception):
    pass


class Row:
    """Stands in for a saved record: a version and a history-less model's meta."""

    version = 7
    note = "theirs"
    _meta = SimpleNamespace(verbose_name="note", get_field=lambda name: None)


def _post(data):
    request = RequestFactory().post("/x/", data)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _messages(request):
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_save_redirects_with_the_success_message_made_from_the_result():
    request = _post({"version": "3", "note": "mine"})
    saved = save_form(
        request,
        NoteForm(request.POST),
        lambda data: f"note {data['version']}",
        done=lambda result: f"/done/{result.split()[1]}",
        success=lambda result: f"Saved {result}.",
    )
    assert saved.response.status_code == 302
    assert saved.response.url == "/done/3"
    assert saved.conflict is None
    assert _messages(request) == [("success", "Saved note 3.")]


def test_an_invalid_form_is_not_saved():
    request = _post({"version": "3"})
    called = []
    saved = save_form(
        request, NoteForm(request.POST), called.append, done="/done/", success="Saved."
    )
    assert called == []
    assert saved.response is None
    assert saved.form.errors["note"] == ["This field is required."]


def test_a_conflict_shows_the_editors_entries_again_at_the_saved_version():
    request = _post({"version": "3", "note": "mine"})
    row = Row()

    def save(data):
        raise EditConflict(current=row, attempted={"note": data["note"]})

    saved = save_form(
        request, NoteForm(request.POST), save, rebuild=NoteForm, done="/done/", success="Saved."
    )
    assert saved.response is None
    assert saved.conflict.current is row
    assert saved.form["version"].value() == "7"  # resending now overwrites knowingly
    assert saved.form["note"].value() == "mine"
    assert saved.form.is_valid()
    assert _messages(request) == []


def test_a_conflict_without_rebuild_keeps_the_form_as_posted():
    request = _post({"version": "3", "note": "mine"})

    def save(data):
        raise EditConflict(current=Row(), attempted={})

    form = NoteForm(request.POST)
    saved = save_form(request, form, save, done="/done/", success="Saved.")
    assert saved.form is form
    assert saved.form["version"].value() == "3"


def test_a_service_validation_error_lands_on_its_field():
    request = _post({"version": "3", "note": "mine"})

    def save(data):
        raise ValidationError({"note": "Too short to be useful."})

    saved = save_form(request, NoteForm(request.POST), save, done="/done/", success="Saved.")
    assert saved.response is None
    assert saved.form.errors["note"] == ["Too short to be useful."]


def test_a_named_refusal_redirects_with_its_message_or_stays_on_the_form():
    def save(data):
        raise Refused("This case is closed.")

    request = _post({"version": "3", "note": "mine"})
    saved = save_form(
        request,
        NoteForm(request.POST),
        save,
        done="/done/",
        success="Saved.",
        refused=(Refused,),
        refused_to="/case/",
    )
    assert saved.response.url == "/case/"
    assert _messages(request) == [("error", "This case is closed.")]

    request = _post({"version": "3", "note": "mine"})
    saved = save_form(
        request, NoteForm(request.POST), save, done="/done/", success="Saved.", refused=(Refused,)
    )
    assert saved.response is None
    assert _messages(request) == [("error", "This case is closed.")]


def test_the_conflict_context_names_who_changed_it_and_each_difference():
    class Conflict:
        changed_by = "Sam Reed"
        current = Row()

        def differences(self):
            return [{"label": "Note", "saved": "theirs", "yours": "mine"}]

    context = conflict_context(Conflict())
    assert context["conflict_by"] == "Sam Reed"
    assert context["conflict_rows"] == [{"label": "Note", "saved": "theirs", "yours": "mine"}]
    assert context["conflict_at"] is None  # not every conflict knows when
