"""Validation of uploaded letterhead logos (a real raster image, never SVG) and of text lengths."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def _file_object(value):
    # A FieldFile wraps the upload (or the stored file) in .file.
    return getattr(value, "file", value)


def validate_logo(value) -> None:
    """Accept PNG, JPEG, GIF or WebP up to 2 MB; refuse SVG (it can carry scripts) and anything else."""
    if not value:
        return
    if getattr(value, "_committed", False):
        # Already stored and checked when it was uploaded.
        return
    file = _file_object(value)
    if getattr(file, "size", 0) > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB; upload a smaller image."), code="logo_too_large")
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    text = head.lstrip().lower()
    if text.startswith(b"<") or b"<svg" in text:
        raise ValidationError(
            _("SVG logos are not accepted: they can contain scripts. Upload a PNG or JPEG instead."),
            code="logo_svg",
        )
    try:
        with Image.open(file) as image:
            fmt, (width, height) = image.format, image.size
            if width * height > LOGO_MAX_PIXELS:
                raise ValidationError(
                    _("The logo is %(width)d × %(height)d pixels; at most 4000 × 4000 are accepted."),
                    params={"width": width, "height": height},
                    code="logo_too_many_pixels",
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("This file is not an image we can print. Upload a PNG, JPEG, GIF or WebP file."),
            code="logo_not_image",
        ) from error
    finally:
        file.seek(0)
    if fmt not in LOGO_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a PNG, JPEG, GIF or WebP file."),
            params={"format": fmt},
            code="logo_format",
        )


@deconstructible
class TextLimit(MaxLengthValidator):
    """At most ``limit`` characters, said so that the writer knows how much to cut."""

    message = _("At most %(limit_value)s characters: this has %(show_value)s. Shorten it by %(excess)s.")

    def __call__(self, value):
        count = self.clean(value)
        if self.compare(count, self.limit_value):
            params = {
                "limit_value": number_format(self.limit_value, force_grouping=True),
                "show_value": number_format(count, force_grouping=True),
                "excess": number_format(count - self.limit_value, force_grouping=True),
                "value": value,
            }
            raise ValidationError(self.message, code=self.code, params=params)
