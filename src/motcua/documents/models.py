"""Signed result documents (văn bản điện tử đã ký số) and how the public finds them again."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Crockford base32: no I, L, O, U, so a code read off paper and typed on a phone survives
# the usual confusions (O/0, I/l/1). 16 symbols = 80 random bits: not guessable, not enumerable.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person typed -> the stored form: case, spaces, dashes and look-alikes forgiven."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -_\t")
    return cleaned.translate(_TYPO_MAP)


def signed_upload_to(instance: "SignedDocument", filename: str) -> str:
    return f"signed/{instance.unit_id}/{instance.signed_at:%Y/%m}/{instance.verification_code}.pdf"


class SignedDocument(models.Model):
    """Văn bản đã ký số: one e-signed PDF exactly as it was issued.

    `sha256` is of the signed bytes, so an uploaded copy is recognised byte for byte.
    `object_type`/`object_id` point at what the document belongs to (e.g. a dossier) without a
    foreign key, so this app does not depend on the dossier models.
    """

    verification_code = models.CharField(
        _("mã xác thực"), max_length=40, unique=True, default=new_verification_code, editable=False
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tên văn bản"), max_length=300)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("tệp đã ký"), upload_to=signed_upload_to, max_length=300)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), default=0)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    signer_name = models.CharField(_("người ký"), max_length=150)
    certificate_subject = models.CharField(_("chứng thư số"), max_length=400)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=80)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Hủy bỏ: the issuing side declared the document void (a certification book entry voided,
    # decisions/0040); the file stays, still verifiable, and the public page says it is void
    revoked_at = models.DateTimeField(_("thời điểm hủy bỏ"), null=True, blank=True)
    revoked_reason = models.CharField(_("lý do hủy bỏ"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("văn bản đã ký số")
        verbose_name_plural = _("văn bản đã ký số")
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.verification_code})"


class DocumentSignature(models.Model):
    """One of a document's signatures, in the order they were made (decisions/0035): the
    person who signs (their own certificate), then the unit's seal. Documents signed before
    people signed have none: their one signature is described on `SignedDocument`."""

    class Kind(models.TextChoices):
        PERSON = "person", _("cá nhân")
        ORGANIZATION = "organization", _("cơ quan")

    document = models.ForeignKey(
        SignedDocument,
        verbose_name=_("văn bản"),
        on_delete=models.CASCADE,
        related_name="signatures",
    )
    position = models.PositiveSmallIntegerField(_("thứ tự chữ ký"))
    kind = models.CharField(_("loại chữ ký"), max_length=20, choices=Kind.choices)
    field_name = models.CharField(_("trường chữ ký"), max_length=40)
    signer_name = models.CharField(_("người ký"), max_length=150)
    certificate_subject = models.CharField(_("chứng thư số"), max_length=400)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=80)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chữ ký của văn bản")
        verbose_name_plural = _("chữ ký của văn bản")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="documents_signature_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.signer_name} ({self.get_kind_display()})"
