"""Reading an e-mail: headers, the words of the reply, attachments, and whether to log it at all.

Pure functions over the message's bytes; journal.services.email_ingest decides where it goes.
Nothing here renders a mail's HTML: HTML-only mail is turned into text.
"""

import datetime
import email
import email.policy
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from django.utils import timezone
from mailparser_reply import EmailReplyParser

# Out-of-office subjects in German and English (auto-replies that set no header).
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|abwesenheit|abwesenheitsnotiz"
    r"|automatische antwort|nicht im büro|ich bin (bis|ab|derzeit|zurzeit)|urlaub)\b",
    re.IGNORECASE,
)
SUBJECT_TAG = re.compile(r"\[([A-Z0-9]{1,10}-\d{1,9})\]")


class MailError(ValueError):
    """The mail cannot be read; its reason goes to the job log, nothing is stored."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    subject: str
    sent_at: datetime.datetime
    text: str  # the whole text
    reply: str  # the newest reply, quotes and signature folded away
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str = ""  # why it is an auto-reply or bulk mail, "" when it is neither

    @property
    def participants(self) -> list[str]:
        return _unique([self.from_address, *self.to, *self.cc])

    @property
    def subject_tag(self) -> str:
        match = SUBJECT_TAG.search(self.subject)
        return match.group(1) if match else ""


def parse(raw: bytes) -> ParsedMail:
    """Read a message (RFC 5322 bytes); MailError when it cannot be read at all."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _parse(message, raw)
    except MailError:
        raise
    except Exception as error:  # malformed MIME surfaces as many exception types
        raise MailError(f"unreadable message: {type(error).__name__}: {error}") from error


def _parse(message: EmailMessage, raw: bytes) -> ParsedMail:
    from_list = _addresses(message, "from")
    if not from_list:
        raise MailError("no sender (From)")
    from_name, from_address = from_list[0]
    text = _text(message)
    in_reply_to = _ids(_header(message, "in-reply-to"))
    return ParsedMail(
        message_id=_message_id(message, raw),
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=_ids(_header(message, "references")),
        from_address=from_address,
        from_name=from_name[:200],
        to=[address for _name, address in _addresses(message, "to")],
        cc=[address for _name, address in _addresses(message, "cc")],
        delivered_to=[
            address
            for name in ("delivered-to", "x-original-to", "envelope-to")
            for _n, address in _addresses(message, name)
        ],
        subject=_header(message, "subject")[:998],
        sent_at=_date(message),
        text=text,
        reply=_reply(text),
        attachments=_attachments(message),
        automatic=_automatic(message),
    )


def _header(message, name: str) -> str:
    """A header as text; a header whose encoding is broken is read as well as it can be."""
    try:
        value = message.get(name)
    except Exception:  # a defective encoded-word
        value = message.get_all(name, failobj=[""])[0] if hasattr(message, "get_all") else ""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _addresses(message, name: str) -> list[tuple[str, str]]:
    values = []
    for raw_value in message.get_all(name, failobj=[]):
        try:
            values.append(str(raw_value))
        except Exception:  # noqa: S112 (an unreadable address header is skipped, not fatal)
            continue
    result = []
    for display, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and " " not in address and len(address) <= 254:
            result.append((display.strip(), address))
    return result


def _ids(value: str) -> list[str]:
    return re.findall(r"<([^<>\s]{1,990})>", value)


def _message_id(message, raw: bytes) -> str:
    ids = _ids(_header(message, "message-id"))
    return ids[0] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()


def _date(message) -> datetime.datetime:
    try:
        value = parsedate_to_datetime(_header(message, "date"))
    except (TypeError, ValueError, IndexError):
        return timezone.now()
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _automatic(message) -> str:
    auto = _header(message, "auto-submitted").lower()
    if auto and auto != "no":
        return "auto-reply (Auto-Submitted)"
    for name in ("x-autoreply", "x-autorespond"):
        if _header(message, name):
            return f"auto-reply ({name.title()})"
    if AUTO_REPLY_SUBJECT.search(_header(message, "subject")):
        return "auto-reply (subject)"
    if _header(message, "list-id"):
        return "bulk mail (List-Id)"
    if _header(message, "precedence").lower() in ("bulk", "list", "junk"):
        return "bulk mail (Precedence)"
    return ""


def _text(message) -> str:
    """The text of the mail: its text/plain part, else its HTML turned into text (never rendered)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    return content.replace("\r\n", "\n").strip()


def _reply(text: str) -> str:
    """The newest reply of a text, quoted replies and signature folded away (German and English)."""
    if not text:
        return ""
    try:
        replies = EmailReplyParser(languages=["de", "en"]).read(text).replies
    except Exception:  # the parser's regexes on odd input: keep the whole text
        return text
    return (replies[0].body.strip() if replies else "") or text


def _attachments(message) -> list[Attachment]:
    result = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True) or b""
        result.append(
            Attachment(
                filename=safe_filename(part.get_filename() or "attachment"),
                content_type=part.get_content_type()[:200],
                content=content,
            )
        )
    return result


def safe_filename(name: str) -> str:
    """A file name without folders, control characters or leading dots ("../../etc/passwd" → "passwd")."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:200] or "attachment"


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


def plus_tag(address: str) -> str:
    """The part after "+" in crm+BION-1@example.com ("" without one)."""
    local = Address(addr_spec=address).username if "@" in address else ""
    return local.split("+", 1)[1] if "+" in local else ""


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _unique(items):
    seen = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
