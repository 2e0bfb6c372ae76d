"""Use cases of intake: submit a request, show it, apply case events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from contracts.categories import BY_CODE, CLASSES
from contracts.envelope import Envelope, new_event
from contracts.events.common import CategoryRef, Place
from contracts.events.intake import RequestSubmitted
from intake.adapters.crypto import ContactCipher
from intake.adapters.photo_store import PhotoStore, PhotoStoreError
from intake.adapters.qrtoken import CompoundTokens, TokenRejected
from intake.adapters.repository import DuplicateRequest, RequestRepository
from intake.adapters.sequence_blocks import SequenceBlocks
from intake.domain.model import IntakeRequest, TimelineEntry, civil_day, mask_name, mask_phone, tracking_code
from intake.domain.org import Compound, Directory
from intake.domain.timeline import apply_case_event as apply_timeline
from intake.domain.validation import FieldError, InputRejected
from intake.entrypoints.schemas import SubmitRequestIn
from servicekit.outbox import OutboxBacklog

SOURCE = "/whistle/intake"
QR_MESSAGES = {"revoked": "二维码已失效，请扫描小区最新张贴的二维码", "forged": "二维码无效，请扫描小区张贴的二维码"}
LOG = logging.getLogger("intake")


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with another body."""


class OutboxFull(Exception):
    """The broker is away or far behind and the outbox holds its limit of events: refuse for a while."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"outbox backlog at its limit; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Submitted:
    """The outcome of a submission: the stored request and its access token."""

    request: IntakeRequest
    access_token: str
    replayed: bool = False


@dataclass
class Intake:
    """Handlers with their dependencies (built by bootstrap)."""

    repo: RequestRepository
    directory: Directory
    cipher: ContactCipher
    token_key: bytes
    compound_tokens: CompoundTokens
    photos: PhotoStore | None = None
    backlog: OutboxBacklog | None = None
    retry_after_s: int = 30
    sequences: SequenceBlocks = field(init=False)

    def __post_init__(self) -> None:
        self.sequences = SequenceBlocks(self.repo)

    def access_token(self, request_id: str) -> str:
        """The resident's token for a request: derived, never stored in clear."""
        digest = hmac.new(self.token_key, f"access:{request_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")

    def token_matches(self, req: IntakeRequest, token: str | None) -> bool:
        """Constant-time check of a presented access token."""
        if not token:
            return False
        return hmac.compare_digest(_sha(token), req.token_hash)

    def compound(self, compound_id: str | None) -> Compound:
        """The compound or a 422 naming the field."""
        found = self.directory.get(compound_id) if compound_id else None
        if found is None:
            message = "请选择小区" if not compound_id else "未找到该小区，请扫描小区张贴的二维码重新进入"
            raise InputRejected([FieldError("compound_id", message)])
        return found

    async def submit(self, body: SubmitRequestIn, *, now: datetime, idempotency_key: str | None = None,
                     body_hash: str | None = None, submitted_by: str | None = None,
                     enrich: Callable[[IntakeRequest], None] | None = None) -> Submitted:
        """Validate against the organisation, store the request with its event, return its token.

        `enrich` adds what a channel carries beyond the resident API's fields (Open311's media_url, e-mail …)
        to the request before it is stored, in the same write; it does not change the event.
        """
        if idempotency_key:
            earlier = await self.repo.by_idempotency_key(idempotency_key)
            if earlier is not None:
                return self._replay(earlier, body_hash)
        compound = self.compound(self._compound_id(body))
        _check_category(body)
        await self._check_photos(body)
        if self.backlog is not None and await self.backlog.full():
            raise OutboxFull(self.retry_after_s)
        request_id = str(uuid.uuid4())
        seq = await self.sequences.next(civil_day(now))
        token = self.access_token(request_id)
        req = _build(body, compound, request_id=request_id, code=tracking_code(now, seq), token=token, now=now)
        req.idempotency_key, req.body_hash, req.submitted_by = idempotency_key, body_hash, submitted_by
        contact = _contact(body)
        if contact:
            req.contact_enc = self.cipher.encrypt(contact)
        if enrich is not None:
            enrich(req)
        event = new_event(self._submitted_event(req, contact), source=SOURCE, subject=request_id, now=now)
        try:
            await self.repo.add(req, [event])
        except DuplicateRequest as dup:
            if dup.field == "idempotency_key" and idempotency_key:
                earlier = await self.repo.by_idempotency_key(idempotency_key)
                if earlier is not None:
                    return self._replay(earlier, body_hash)
            raise
        if self.backlog is not None:
            self.backlog.added()
        LOG.info("request stored", extra={"request_id": request_id, "tracking_code": req.tracking_code,
                                          "channel": req.channel, "event_id": event.id})
        return Submitted(req, token)

    async def apply_case_event(self, envelope: Envelope) -> int:
        """Apply a case lifecycle or SLA event to the requests it concerns."""
        return await apply_case_event(self, envelope)

    async def _check_photos(self, body: SubmitRequestIn) -> None:
        """Every listed photo must have been uploaded, once."""
        if len(set(body.photos)) != len(body.photos):
            raise InputRejected([FieldError("photos", "同一张照片重复提交")])
        for photo_id in body.photos:
            try:
                found = self.photos is not None and await self.photos.exists(photo_id)
            except PhotoStoreError as exc:
                raise InputRejected([FieldError("photos", "照片服务暂时不可用，请稍后再提交")], status=503) from exc
            if not found:
                raise InputRejected([FieldError("photos", "照片不存在或已过期，请重新上传")])

    def _compound_id(self, body: SubmitRequestIn) -> str | None:
        """The compound named directly, or inside the QR code's signed token."""
        if not body.compound_token:
            return body.compound_id
        try:
            from_token = self.compound_tokens.verify(body.compound_token)
        except TokenRejected as exc:
            raise InputRejected([FieldError("compound_token", QR_MESSAGES[exc.reason])], status=403) from exc
        if body.compound_id and body.compound_id != from_token:
            raise InputRejected([FieldError("compound_id", "小区与二维码不一致")])
        return from_token

    def _replay(self, earlier: IntakeRequest, body_hash: str | None) -> Submitted:
        if earlier.body_hash != body_hash:
            raise IdempotencyConflict()
        return Submitted(earlier, self.access_token(earlier.id), replayed=True)

    def _submitted_event(self, req: IntakeRequest, contact: dict[str, str] | None) -> RequestSubmitted:
        sealed = self.cipher.seal(contact) if contact and not req.anonymous else None
        return RequestSubmitted(
            request_id=req.id, tracking_code=req.tracking_code, channel=req.channel, place=place_of(req),
            title=req.title, text=req.text, photo_refs=list(req.photos), anonymous=req.anonymous,
            category_hint=CategoryRef(class_code=req.class_code, sub_category=req.sub_category)
            if req.class_code else None,
            has_contact=contact is not None, contact_sealed=sealed, external_ref=req.external_ref,
            external_deadline=req.external_deadline, submitted_at=req.submitted_at)


def _check_category(body: SubmitRequestIn) -> None:
    if body.category is None:
        return
    if body.category.class_code not in CLASSES:
        raise InputRejected([FieldError("category.class_code", "分类不存在，请从分类列表中选择")])
    sub = body.category.sub_category
    if sub is not None and (sub not in BY_CODE or BY_CODE[sub].class_code != body.category.class_code):
        raise InputRejected([FieldError("category.sub_category", "小类不存在或不属于所选大类")])


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _contact(body: SubmitRequestIn) -> dict[str, str] | None:
    if body.contact is None:
        return None
    contact = {k: v for k, v in body.contact.model_dump().items() if v}
    return contact or None


def _build(body: SubmitRequestIn, compound: Compound, *, request_id: str, code: str, token: str,
           now: datetime) -> IntakeRequest:
    loc = body.location
    building = loc.building if loc else None
    phone = body.contact.phone if body.contact else None
    name = body.contact.name if body.contact else None
    return IntakeRequest(
        id=request_id, tracking_code=code, token_hash=_sha(token), channel=body.channel.value,
        compound_id=compound.id, community_id=compound.community_id, street_id=compound.street_id,
        district_id=compound.district_id, grid_id=compound.grid_for(building), text=body.text, title=body.title,
        submitted_at=now, building=building, unit=loc.unit if loc else None, room=loc.room if loc else None,
        address=loc.address if loc else None, lat=loc.lat if loc else None, lon=loc.lon if loc else None,
        class_code=body.category.class_code if body.category else None,
        sub_category=body.category.sub_category if body.category else None, anonymous=body.anonymous,
        phone_masked=mask_phone(phone), name_masked=mask_name(name), photos=list(body.photos),
        external_ref=body.external_ref, external_deadline=body.external_deadline,
        status_at=now, timeline=[TimelineEntry(now, "submitted", "已受理", "您的诉求已提交，我们会尽快分派处理")])


def place_of(req: IntakeRequest) -> Place:
    """The request's place in the organisation tree, for events."""
    return Place(district_id=req.district_id, street_id=req.street_id, community_id=req.community_id,
                 compound_id=req.compound_id, grid_id=req.grid_id, building=req.building, unit=req.unit,
                 room=req.room, address=req.address, lat=req.lat, lon=req.lon)




async def _requests_for(repo: RequestRepository, envelope: Envelope) -> list[str]:
    data = envelope.data
    ids: list[str] = list(data.get("request_ids") or [])
    if data.get("request_id"):
        ids.append(str(data["request_id"]))
    if not ids and data.get("case_id"):
        ids = [r.id for r in await repo.by_case(str(data["case_id"]))]
    return ids


async def apply_case_event(intake: Intake, envelope: Envelope) -> int:
    """Apply a case or SLA event to every request it concerns; returns how many changed (idempotent).

    Consumers run handlers concurrently, so an event about a case intake has not linked yet is parked and
    replayed when the case.routed (or case.merged) event links it; both sides write first and then look.
    """
    request_ids = await _requests_for(intake.repo, envelope)
    case_id = envelope.data.get("case_id")
    if not request_ids and case_id:
        await intake.repo.park_event(str(case_id), envelope.id, envelope.model_dump_json())
        if not await intake.repo.by_case(str(case_id)):
            return 0
    changed = sum([await _apply_to(intake.repo, rid, envelope) for rid in request_ids])
    if case_id:
        changed += await _replay_parked(intake.repo, str(case_id))
    return changed


async def _replay_parked(repo: RequestRepository, case_id: str) -> int:
    # Forgotten only after they were applied: a handler cancelled or failing in between (a broker restart
    # cancels in-flight deliveries) leaves them parked for the redelivery or the case's next event.
    parked = await repo.parked(case_id)
    if not parked:
        return 0
    requests = await repo.by_case(case_id)
    if not requests:
        return 0
    changed = 0
    for _, body in parked:
        event = Envelope.model_validate_json(body)
        changed += sum([await _apply_to(repo, req.id, event) for req in requests])
    await repo.forget_parked([event_id for event_id, _ in parked])
    return changed


async def _apply_to(repo: RequestRepository, request_id: str, envelope: Envelope) -> int:
    for _ in range(5):  # optimistic concurrency: re-read on a version conflict
        req = await repo.get(request_id)
        if req is None:
            return 0
        version = req.version
        if not apply_timeline(req, event_id=envelope.id, event_type=envelope.type, data=envelope.data,
                              occurred_at=_occurred(envelope)):
            return 0
        if await repo.save(req, expected_version=version, events=[]):
            return 1
    raise RuntimeError(f"request {request_id} kept changing under a case event; will retry")


def _occurred(envelope: Envelope) -> datetime:
    for key in ("occurred_at", "routed_at", "scheduled_at"):
        if envelope.data.get(key):
            return datetime.fromisoformat(str(envelope.data[key]))
    return envelope.time
