"""The shape of a legal source (``domain.sources.LegalSource``) in responses, and of the
BHM rates, each with the act that set it."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from application.read_models.catalogue import BhmRateRow
from domain.sources import LegalSource


class LegalSourceOut(BaseModel):
    act: str = Field(examples=['Law "On appeals of individuals and legal entities"'])
    number: str | None = Field(examples=["ZRU-445"])
    date: date
    article: str | None = Field(examples=["art. 28, part 1"])
    url: str | None = Field(description="its lex.uz document, where one is known")

    @classmethod
    def of(cls, source: LegalSource) -> LegalSourceOut:
        return cls(
            act=source.act,
            number=source.number,
            date=source.date,
            article=source.article,
            url=source.url,
        )

    @classmethod
    def optional(cls, source: LegalSource | None) -> LegalSourceOut | None:
        return None if source is None else cls.of(source)


class CitedSourceOut(LegalSourceOut):
    """A legal source with the one line an official cites it by (fees, terms, the calendar)."""

    citation: str = Field(description="the act in one line, as an official cites it")

    @classmethod
    def cited(cls, source: LegalSource | None) -> CitedSourceOut | None:
        return None if source is None else cls(**source.to_dict(), citation=source.cite())


class BhmRateOut(BaseModel):
    effective_from: date = Field(description="the day the rate took effect")
    amount: int = Field(description="in minor units (tiyin)", examples=[41_200_000])
    currency: str = Field(examples=["UZS"])
    source: LegalSourceOut | None = Field(
        description="the act that set the rate; null where nobody could verify it"
    )

    @classmethod
    def of(cls, row: BhmRateRow) -> BhmRateOut:
        return cls(
            effective_from=row.effective_from,
            amount=row.amount,
            currency=row.currency,
            source=LegalSourceOut.optional(LegalSource.optional(row.source)),
        )


class BhmRatesOut(BaseModel):
    items: list[BhmRateOut]
