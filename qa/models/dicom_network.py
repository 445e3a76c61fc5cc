import ipaddress

from django.core.exceptions import ValidationError
from django.db import models

# DICOM PS3.5 AE: 1-16 characters of the default repertoire, no backslash and no control characters;
# leading and trailing spaces are padding and not part of the title.
AE_TITLE_MAX_CHARS = 16


def validate_ae_title(value: str) -> None:
    title = value.strip(" ")
    if not 1 <= len(title) <= AE_TITLE_MAX_CHARS:
        raise ValidationError(f"An AE title has 1 to {AE_TITLE_MAX_CHARS} characters, not counting spaces at its ends.")
    if any(ch == "\\" or not (32 <= ord(ch) < 127) for ch in title):
        raise ValidationError("An AE title has printable ASCII characters only, and no backslash.")


def validate_network(value: str) -> None:
    if not value:
        return
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValidationError(f"{value!r} is not an IP address or network (e.g. 10.1.2.3 or 10.1.2.0/24).") from exc


class CallingAE(models.Model):
    """A calling AE title allowed to send scans to the DICOM receiver, and the hospital they belong to.
    `source_network`, when set, is the only address range the title is accepted from."""

    hospital = models.ForeignKey("qa.Hospital", on_delete=models.CASCADE, related_name="calling_aes")
    ae_title = models.CharField(max_length=AE_TITLE_MAX_CHARS, unique=True, validators=[validate_ae_title])
    source_network = models.CharField(max_length=64, blank=True, validators=[validate_network])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ae_title"]
        verbose_name = "calling AE title"

    def __str__(self) -> str:
        return f"{self.ae_title} → {self.hospital}"

    def save(self, *args, **kwargs):
        self.ae_title = self.ae_title.strip(" ")
        self.source_network = self.source_network.strip()
        super().save(*args, **kwargs)

    def accepts_address(self, address: str) -> bool:
        if not self.source_network:
            return True
        try:
            return ipaddress.ip_address(address) in ipaddress.ip_network(self.source_network, strict=False)
        except ValueError:
            return False
