"""One way for a page to save a form it was sent: the view half of safe editing.

The services do the guarding (`panels.editing.locked_update` and `create_once`,
`referrals.locking.EditConflict`): an edit carries the version the editor loaded
and is refused with a conflict if someone saved in between; a creation carries a
submission key so a double submit makes one row. What every page then does with
the outcome is the same, and lives here:

- saved: a success message, and a redirect (so a reload does not post again);
- a conflict: nothing saved; the form is shown again with the editor's own
  entries, now at the saved version (so sending it again overwrites knowingly),
  beside the record as it now is;
- a ValidationError from the service: its messages on the form's fields;
- a refusal the page names (a closed case, say): its message, and a redirect.

Pages render the conflict with `conflict_context(conflict)`, or the whole page
with `form_page`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render

from highharm.referrals.locking import EditConflict

__all__ = ["Saved", "conflict_context", "form_page", "save_form", "with_version"]


@dataclass
class Saved:
    """What became of a posted form: a response to return, or the form to show again."""

    form: Any
    response: HttpResponse | None = None
    conflict: Exception | None = None


def with_version(post: QueryDict, version: int) -> QueryDict:
    """The editor's own entries, now at the saved record's version, to review and resend."""
    data = post.copy()
    data["version"] = str(version)
    return data


def conflict_context(conflict) -> dict:
    """What the conflict templates show: who saved what, and how it differs from this edit."""
    return {
        "conflict": conflict,
        "conflict_rows": conflict.differences(),
        "conflict_by": conflict.changed_by,
        "conflict_at": getattr(conflict, "changed_at", None),
    }


def form_page(request, template: str, context: dict, *, form=None, saved: Saved | None = None):
    """Render a form page: the form (as `saved` left it), and the conflict if there was one."""
    if saved is not None:
        form = saved.form
        if saved.conflict is not None:
            context = {**context, **conflict_context(saved.conflict)}
    return render(request, template, {**context, "form": form})


def save_form(
    request,
    form,
    save: Callable[[dict], Any],
    *,
    done: str | Callable[[Any], str],
    success: str | Callable[[Any], str],
    rebuild: Callable[[QueryDict], Any] | None = None,
    conflicts: tuple[type[Exception], ...] = (EditConflict,),
    refused: tuple[type[Exception], ...] = (),
    refused_to: str | None = None,
    refused_level: int = messages.ERROR,
) -> Saved:
    """Validate the bound `form` and hand its cleaned data to `save`.

    `done` and `success` (a URL and a message, or callables given what `save`
    returned) say where to go after saving. On a conflict, `rebuild(data)` makes
    the form again from the posted data at the saved version (without `rebuild`
    the form stays as posted). An exception in `refused` puts its message on the
    next page at `refused_level` and redirects to `refused_to` (or, without it,
    shows the form again).
    """
    if not form.is_valid():
        return Saved(form)
    try:
        result = save(form.cleaned_data)
    except conflicts as conflict:
        if rebuild is not None:
            form = rebuild(with_version(request.POST, conflict.current.version))
            form.is_valid()
        return Saved(form, conflict=conflict)
    except refused as error:
        messages.add_message(request, refused_level, str(error))
        return Saved(form, response=redirect(refused_to) if refused_to else None)
    except ValidationError as error:
        form.add_service_errors(error)
        return Saved(form)
    messages.success(request, success(result) if callable(success) else success)
    return Saved(form, response=redirect(done(result) if callable(done) else done))
