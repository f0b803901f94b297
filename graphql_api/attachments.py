"""Files attached to a booking or a message, as every area shows and accepts them."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A file attached to a booking or a message.")
class Attachment:
    url: str = strawberry.field(
        description="Where to fetch the file: an absolute URL; for private files a short-lived signed link."
    )
    name: str | None = strawberry.field(description="The file name the sender gave, if any.")
    size: int | None = strawberry.field(description="Size in bytes, if known.")
    content_type: str | None = strawberry.field(description="The media type, e.g. `image/jpeg` or `application/pdf`.")


@strawberry.input(description="A file already stored (its URL from an earlier upload), to attach again.")
class AttachmentInput:
    url: str = strawberry.field(description="The stored file's URL, as this API gave it.")
    content_type: str = strawberry.field(description="The media type: JPEG, PNG, WebP or PDF.")
    name: str | None = strawberry.field(default=None, description="The file name to show.")
    size: int | None = strawberry.field(default=None, description="Size in bytes.")
