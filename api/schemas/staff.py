"""Shapes of the staff directory: appointments and their revocations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.staff import StaffMember


class AppointmentIn(BaseModel):
    subject: str = Field(
        max_length=200,
        description="the identity provider's subject (`sub`) of the person appointed",
        examples=["officer-ia-mu"],
    )
    role: str = Field(max_length=32, description="officer, auditor or admin", examples=["officer"])
    agency: str | None = Field(
        None, max_length=64, description="officers: the agency's code", examples=["justice-1703"]
    )
    position: str | None = Field(
        None,
        max_length=200,
        description="officers: printed under their name on the documents they sign",
        examples=["Chief specialist"],
    )
    name: str | None = Field(
        None,
        max_length=200,
        description="the name their documents are signed with (else the provider's)",
        examples=["Dilnoza Rahimova"],
    )


class RevocationIn(BaseModel):
    reason: str = Field(max_length=1000, examples=["Transferred to another ministry"])


class StaffMemberOut(BaseModel):
    subject: str
    role: str
    agency: str | None
    position: str | None
    name: str | None
    active: bool = Field(description="false once the appointment is revoked")
    appointed_at: datetime
    appointed_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None

    @classmethod
    def of(cls, member: StaffMember) -> StaffMemberOut:
        terms = member.terms
        return cls(
            subject=member.subject,
            role=terms.role,
            agency=terms.agency,
            position=terms.position,
            name=terms.name,
            active=member.active,
            appointed_at=member.appointed_at,
            appointed_by=member.appointed_by,
            revoked_at=member.revoked_at,
            revoked_by=member.revoked_by,
            revoke_reason=member.revoke_reason,
        )


class StaffPage(BaseModel):
    items: list[StaffMemberOut]
    next: str | None = None
