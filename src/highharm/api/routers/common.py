"""Types shared by the routers: bounded ids and texts, and the error answers they declare."""

from typing import Annotated, Any

from ninja import Field, Path, Schema
from pydantic import StringConstraints

from highharm.api.errors import Conflict, Error, FieldErrors  # noqa: F401 (re-exported)

# Database ids: positive and within a 32-bit integer, so a generated id never overflows a column.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
BodyId = Annotated[int, Field(ge=1, le=2_147_483_647)]
Version = Annotated[int, Field(ge=0, le=2_147_483_647)]

# Text a person types: no NUL character (PostgreSQL refuses it), bounded length.
NO_NUL = r"^[^\x00]*$"


def Text(max_length: int = 10_000):  # noqa: N802 (a type factory)
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL)]


class Invalid(Schema):
    """422: a service refused a field (`errors` by field) or the request failed validation."""

    detail: str | list[dict[str, Any]]
    errors: dict[str, list[str]] | None = None


READ = {403: Error, 404: Error, 422: Invalid}
LIST = {403: Error, 422: Invalid}
WRITE = {400: Error, 403: Error, 404: Error, 409: Conflict, 422: Invalid}
