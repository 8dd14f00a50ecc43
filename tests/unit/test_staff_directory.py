"""The staff directory: appointments and revocations by administrators, and the principal
an identity provider's subject resolves to (the directory's role, never the token's)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.principal import Identity, Principal
from application.staff_directory import StaffDirectory
from domain.agency import AgencyRef
from domain.context import CommandContext
from domain.errors import (
    InvalidAppointment,
    InvalidInput,
    LastAdministrator,
    NoAppointment,
    NotAppointed,
    RoleNotAllowed,
    StaffMemberNotFound,
)
from tests.conftest import TEST_NOW
from tests.fakes.adapters import FixedClock

ADMIN = Principal("cli:root", "admin")
CTX = CommandContext(actor="cli:root", role="admin", correlation_id="staff-tests")
AGENCY = "justice-1703202"
PINFL = "31503901234567"


class Agencies:
    """The catalogue's agencies, as the directory asks for them: only AGENCY exists."""

    def agency_by_code(self, code: str) -> AgencyRef | None:
        return AgencyRef(uuid4(), code) if code == AGENCY else None


@pytest.fixture
def staff() -> StaffDirectory:
    return StaffDirectory(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        agencies=Agencies(),  # type: ignore[arg-type]
        clock=FixedClock(TEST_NOW),
    )


def events(staff: StaffDirectory) -> int:
    return staff.recorder.max_notification_id() or 0


def test_an_officer_is_appointed_to_an_agency_that_exists(staff: StaffDirectory) -> None:
    appointed = staff.appoint(
        ADMIN, CTX, subject="officer-17", role="officer", agency=AGENCY, position="Specialist"
    )
    assert appointed.changed
    member = appointed.member
    assert (member.role, member.terms.agency, member.terms.position) == (
        "officer",
        AGENCY,
        "Specialist",
    )
    assert (member.appointed_by, member.appointed_at, member.active) == ("cli:root", TEST_NOW, True)
    with pytest.raises(InvalidAppointment, match="no agency has code 'justice-9'"):
        staff.appoint(ADMIN, CTX, subject="officer-18", role="officer", agency="justice-9")
    with pytest.raises(InvalidAppointment, match="appointed to an agency"):
        staff.appoint(ADMIN, CTX, subject="officer-18", role="officer")


@pytest.mark.parametrize(
    ("terms", "refusal"),
    [
        ({"role": "citizen"}, "citizens are whoever the identity provider says"),
        ({"role": "integrator"}, "integrators hold API keys"),
        ({"role": "auditor", "agency": AGENCY}, "only officers are appointed to an agency"),
        ({"role": "admin", "position": "Head"}, "only officers hold a position"),
        ({"role": "auditor", "name": "x" * 201}, "name is longer than 200"),
    ],
)
def test_appointments_the_directory_refuses(
    staff: StaffDirectory, terms: dict[str, str], refusal: str
) -> None:
    with pytest.raises(InvalidInput, match=refusal):
        staff.appoint(ADMIN, CTX, subject="someone", **terms)
    assert events(staff) == 0


@pytest.mark.parametrize("subject", ["", " officer", "a b", "x" * 201, "-lead", "ofﬁcer"])
def test_a_subject_must_be_an_identity_providers_subject(
    staff: StaffDirectory, subject: str
) -> None:
    with pytest.raises(InvalidAppointment, match="a staff subject is") as refused:
        staff.appoint(ADMIN, CTX, subject=subject, role="auditor")
    assert subject.strip() == "" or subject not in refused.value.detail  # never echoed


def test_appointing_again_on_the_same_terms_changes_nothing(staff: StaffDirectory) -> None:
    staff.appoint(ADMIN, CTX, subject="auditor-1", role="auditor", name="Olim Aliyev")
    before = events(staff)
    again = staff.appoint(ADMIN, CTX, subject="auditor-1", role="auditor", name=" Olim Aliyev ")
    assert not again.changed
    assert events(staff) == before
    moved = staff.appoint(ADMIN, CTX, subject="auditor-1", role="officer", agency=AGENCY)
    assert moved.changed
    assert (moved.member.role, moved.member.terms.name) == ("officer", None)


def test_revoking_ends_the_appointment_once(staff: StaffDirectory) -> None:
    staff.appoint(ADMIN, CTX, subject="officer-17", role="officer", agency=AGENCY)
    revoked = staff.revoke(ADMIN, CTX, "officer-17", reason="Transferred")
    assert (revoked.active, revoked.revoked_by, revoked.revoke_reason) == (
        False,
        "cli:root",
        "Transferred",
    )
    with pytest.raises(NoAppointment, match="already revoked"):
        staff.revoke(ADMIN, CTX, "officer-17", reason="again")
    with pytest.raises(StaffMemberNotFound):
        staff.revoke(ADMIN, CTX, "never-appointed", reason="x")
    staff.appoint(ADMIN, CTX, subject="auditor-2", role="auditor")
    with pytest.raises(InvalidInput, match="reason must be a non-empty text"):
        staff.revoke(ADMIN, CTX, "auditor-2", reason="  ")
    back = staff.appoint(ADMIN, CTX, subject="officer-17", role="officer", agency=AGENCY)
    assert back.changed
    assert back.member.active
    assert back.member.revoked_at is None


def test_the_last_administrator_stays(staff: StaffDirectory) -> None:
    staff.appoint(ADMIN, CTX, subject="admin-1", role="admin")
    with pytest.raises(LastAdministrator, match="last administrator"):
        staff.revoke(ADMIN, CTX, "admin-1", reason="leaving")
    with pytest.raises(LastAdministrator):
        staff.appoint(ADMIN, CTX, subject="admin-1", role="auditor")
    staff.appoint(ADMIN, CTX, subject="admin-2", role="admin")
    staff.revoke(ADMIN, CTX, "admin-1", reason="leaving")
    assert staff.member(ADMIN, "admin-1").active is False
    with pytest.raises(LastAdministrator):
        staff.revoke(ADMIN, CTX, "admin-2", reason="leaving too")


@pytest.mark.parametrize(
    "caller",
    [
        Principal("officer-17", "officer", agency=AGENCY),
        Principal("auditor-1", "auditor"),
        Principal(PINFL, "citizen"),
        Principal("client", "integrator", scopes=frozenset({"feed:read"})),
    ],
)
def test_only_administrators_manage_the_directory(staff: StaffDirectory, caller: Principal) -> None:
    staff.appoint(ADMIN, CTX, subject="auditor-1", role="auditor")
    for attempt in (
        lambda: staff.appoint(caller, CTX, subject="x", role="admin"),
        lambda: staff.revoke(caller, CTX, "auditor-1", reason="x"),
        lambda: staff.member(caller, "auditor-1"),
        lambda: staff.members(caller),
    ):
        with pytest.raises(RoleNotAllowed, match="only administrators manage the staff"):
            attempt()


def test_members_are_listed_in_the_order_first_appointed(staff: StaffDirectory) -> None:
    for n in range(5):
        staff.appoint(ADMIN, CTX, subject=f"auditor-{n}", role="auditor")
    staff.revoke(ADMIN, CTX, "auditor-1", reason="gone")
    staff.appoint(ADMIN, CTX, subject="auditor-0", role="officer", agency=AGENCY)
    first = staff.members(ADMIN, limit=3)
    assert [m.member.subject for m in first] == ["auditor-0", "auditor-1", "auditor-2"]
    assert (first[0].member.role, first[1].member.active) == ("officer", False)
    rest = staff.members(ADMIN, after=first[-1].position, limit=3)
    assert [m.member.subject for m in rest] == ["auditor-3", "auditor-4"]


def test_an_appointed_subject_resolves_to_the_directorys_role(staff: StaffDirectory) -> None:
    staff.appoint(
        ADMIN, CTX, subject="officer-17", role="officer", agency=AGENCY, position="Specialist"
    )
    assert staff.resolve(Identity("officer-17", name="Dilnoza Rahimova")) == Principal(
        "officer-17", "officer", agency=AGENCY, name="Dilnoza Rahimova", position="Specialist"
    )
    staff.appoint(ADMIN, CTX, subject=PINFL, role="auditor", name="Olim Aliyev")
    assert staff.resolve(Identity(PINFL, name="Provider's name")) == Principal(
        PINFL, "auditor", name="Olim Aliyev"
    )


def test_an_unappointed_subject_is_a_citizen_or_not_admitted(staff: StaffDirectory) -> None:
    assert staff.resolve(Identity(PINFL, name="Aziza")) == Principal(PINFL, "citizen", name="Aziza")
    with pytest.raises(NotAppointed, match="holds no appointment") as refused:
        staff.resolve(Identity("officer-17"))
    assert "officer-17" not in refused.value.detail
    staff.appoint(ADMIN, CTX, subject="officer-17", role="officer", agency=AGENCY)
    staff.appoint(ADMIN, CTX, subject=PINFL, role="officer", agency=AGENCY)
    staff.revoke(ADMIN, CTX, "officer-17", reason="gone")
    staff.revoke(ADMIN, CTX, PINFL, reason="gone")
    with pytest.raises(NotAppointed):
        staff.resolve(Identity("officer-17"))
    assert staff.resolve(Identity(PINFL)).role == "citizen"
