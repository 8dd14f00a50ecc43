"""Named domain errors.

Every rule the domain enforces raises one of these. The families tell the HTTP layer
how to answer (422 invalid input, 404 not found, 409 conflict with the current state)
without the domain knowing anything about HTTP.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken. ``detail`` is safe to show to the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def code(self) -> str:
        """Stable, kebab-case identifier of the error (used in problem types)."""
        name = type(self).__name__
        return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


class InvalidInput(DomainError):
    """The command carries a value the domain refuses (answered with 422)."""


class NotFound(DomainError):
    """The command or query names something that does not exist (answered with 404)."""


class Conflict(DomainError):
    """The command is not allowed in the aggregate's current state (answered with 409)."""


# --- values -------------------------------------------------------------------------------


class MissingTranslation(InvalidInput):
    pass


class InvalidCode(InvalidInput):
    pass


class InvalidLevel(InvalidInput):
    pass


class InvalidParent(InvalidInput):
    pass


class InvalidFeeRule(InvalidInput):
    pass


class InvalidFormSchema(InvalidInput):
    pass


class InvalidServiceTerms(InvalidInput):
    pass


class InvalidBhmRate(InvalidInput):
    pass


class InvalidLegalSource(InvalidInput):
    pass


class InvalidPinfl(InvalidInput):
    pass


class InvalidEffectiveDate(InvalidInput):
    pass


class NotAWeekend(InvalidInput):
    pass


# --- lookups ------------------------------------------------------------------------------


class TerritoryNotFound(NotFound):
    pass


class AgencyNotFound(NotFound):
    pass


class ParentAgencyNotFound(NotFound):
    pass


class ServiceNotFound(NotFound):
    pass


class NoBhmRateInForce(NotFound):
    pass


# --- state transitions --------------------------------------------------------------------


class AlreadyExists(Conflict):
    pass


class ServiceRetired(Conflict):
    pass


class ServiceNotActive(Conflict):
    pass


class ServiceNotSuspended(Conflict):
    pass


class NothingChanged(Conflict):
    pass


class NotAHoliday(Conflict):
    pass


class NoSuchBhmRate(Conflict):
    """A withdrawal names a date from which the schedule sets no rate."""


class NotAWorkingWeekend(Conflict):
    pass


class CalendarYearNotCovered(NotFound):
    """The holiday source has no decreed calendar for the year asked."""


# --- access -------------------------------------------------------------------------------


class Forbidden(DomainError):
    """The caller may see the thing but not do this to it (answered with 403)."""


class NotYourAgency(Forbidden):
    pass


class RoleNotAllowed(Forbidden):
    pass


# --- applications -------------------------------------------------------------------------


class ApplicationNotFound(NotFound):
    pass


class DecisionNotFound(NotFound):
    pass


class InvalidForm(InvalidInput):
    """The form data fails the pinned version's schema; ``errors`` lists each field."""

    def __init__(self, detail: str, errors: list[tuple[str, str]]) -> None:
        super().__init__(detail)
        self.errors = errors  # (JSON pointer, message)


class InvalidAttachment(InvalidInput):
    pass


class MissingDocuments(InvalidAttachment):
    """Required documents of the service are not attached; ``missing`` lists their codes."""

    def __init__(self, detail: str, missing: list[str]) -> None:
        super().__init__(detail)
        self.missing = missing


class NoResponsibleAgency(InvalidInput):
    pass


class ServiceNotApplicable(InvalidInput):
    pass


class InvalidTransition(Conflict):
    """The application's state forbids the command; ``state`` names that state."""

    def __init__(self, detail: str, state: str) -> None:
        super().__init__(detail)
        self.state = state


class AssignedToAnotherOfficer(InvalidTransition):
    pass


class NotAssigned(InvalidTransition):
    pass


class DecisionRevoked(Conflict):
    pass


class ConcurrentModification(Conflict):
    """Another command changed the aggregate first; reload and retry."""


# --- payments -----------------------------------------------------------------------------


class PaymentNotFound(NotFound):
    pass


class NothingToPay(Conflict):
    pass


class PaymentProviderUnavailable(DomainError):
    """The payment provider could not be reached or refused the request (answered 502)."""


# --- audit --------------------------------------------------------------------------------


class CaseDamaged(Conflict):
    """The stored events of a case no longer reconstruct it (altered, deleted or moved);
    its verification locates the damage."""


class StoredFileDamaged(Conflict):
    """A stored attachment or result document fails its checks (altered, truncated, moved
    under another file's name, or encrypted with a key that is not configured): it is not
    served; an operator restores it from a backup."""


# --- integrators --------------------------------------------------------------------------


class InvalidScope(InvalidInput):
    pass


class IntegratorNotFound(NotFound):
    pass


class AmbiguousIntegrator(InvalidInput):
    """A prefix names more than one integrator client."""


class ScopeMissing(Forbidden):
    """The integrator's client lacks the scope this needs."""


class InvalidWebhook(InvalidInput):
    pass


class WebhookNotFound(NotFound):
    pass


# --- appeals and inter-agency requests ----------------------------------------------------


class AppealNotFound(NotFound):
    pass


class RequestNotFound(NotFound):
    pass


# --- the staff directory ------------------------------------------------------------------


class InvalidAppointment(InvalidInput):
    pass


class StaffMemberNotFound(NotFound):
    pass


class NoAppointment(Conflict):
    """The staff member holds no appointment (it was revoked)."""


class LastAdministrator(Conflict):
    pass


class NotAppointed(Forbidden):
    """An identity provider's subject that is neither a citizen nor on Yagona's staff."""
