"""Shapes of the target indicators (KPIs) and the ranking of agencies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.vocabularies import KpiComparison, KpiStatus
from application.read_models.kpi import KpiRow
from domain.kpi import INDICATORS, Assessment, Ranked, Target, assess

Comparison = KpiComparison
Status = KpiStatus


class IndicatorOut(BaseModel):
    actual: float | None = Field(description="null: nothing to measure in the period")
    target: float
    comparison: Comparison = Field(description="met when `actual comparison target`")
    status: Status

    @classmethod
    def of(cls, assessment: Assessment) -> IndicatorOut:
        return cls.model_validate(assessment, from_attributes=True)


class IndicatorsOut(BaseModel):
    decided_within_term_pct: IndicatorOut = Field(
        description="decisions of the period taken within the legal term, %"
    )
    median_processing_working_days: IndicatorOut = Field(
        description="median working days the decisions of the period took"
    )
    p90_processing_working_days: IndicatorOut = Field(
        description="90th percentile (continuous) of those working days"
    )
    rejection_rate_pct: IndicatorOut = Field(description="decisions of the period rejecting, %")
    appeals_per_1000_applications: IndicatorOut = Field(
        description="appeals filed per 1,000 applications submitted (null per service)"
    )
    appeals_answered_on_time_pct: IndicatorOut = Field(
        description="of the appeals filed in the period that were answered or are overdue, "
        "those answered within the term and never overdue, %"
    )
    average_rating: IndicatorOut = Field(description="citizens' ratings (1-5) of those appeals")
    requests_answered_on_time_pct: IndicatorOut = Field(
        description="of the inter-agency requests received in the period that were answered, "
        "refused or are overdue, those answered or refused by their due date, %"
    )


class KpiGroupOut(BaseModel):
    agency: str | None = Field(None, description="agency code (with `agency` in group_by)")
    service: str | None = Field(
        None, description="service code (with `service` in group_by; null: appeals, requests)"
    )
    territory: str | None = Field(None, description="SOATO code (with `territory` in group_by)")
    submitted: int = Field(description="applications submitted in the period")
    decided: int = Field(description="decisions taken in the period")
    appeals: int = Field(description="appeals filed in the period")
    inter_agency_requests: int = Field(description="inter-agency requests received")
    fees_collected: int = Field(description="minor units (tiyin), paid in the period")
    fees_refunded: int = Field(description="minor units (tiyin), refunded in the period")
    indicators: IndicatorsOut

    @classmethod
    def of(cls, row: KpiRow, targets: dict[str, Target]) -> KpiGroupOut:
        return cls(
            **row.group,
            submitted=row.submitted,
            decided=row.decided,
            appeals=row.appeals,
            inter_agency_requests=row.inter_agency_requests,
            fees_collected=row.fees_collected,
            fees_refunded=row.fees_refunded,
            indicators=IndicatorsOut(
                **{
                    name: IndicatorOut.of(assess(row.actuals[name], targets[name]))
                    for name in INDICATORS
                }
            ),
        )


class KpiPage(BaseModel):
    from_: str = Field(alias="from", description="first month (Uzbekistan), YYYY-MM")
    to: str = Field(description="last month, YYYY-MM")
    group_by: list[str]
    items: list[KpiGroupOut] = Field(
        description="only the dimensions in `group_by` appear in an item"
    )
    next: str | None

    model_config = {"populate_by_name": True}


class RankedAgencyOut(BaseModel):
    rank: int | None = Field(description="1 is best; equal values share a rank; null: no data")
    agency: str
    actual: float | None
    target: float
    comparison: Comparison
    status: Status

    @classmethod
    def of(cls, ranked: Ranked) -> RankedAgencyOut:
        a = ranked.assessment
        return cls(
            rank=ranked.rank,
            agency=ranked.key,
            actual=a.actual,
            target=a.target,
            comparison=a.comparison,
            status=a.status,
        )


class RankingOut(BaseModel):
    indicator: str
    comparison: Comparison = Field(description="`>=`: highest first; `<=`: lowest first")
    from_: str = Field(alias="from")
    to: str
    total: int = Field(description="agencies ranked (with any fact in the period)")
    items: list[RankedAgencyOut]
    next: str | None

    model_config = {"populate_by_name": True}
