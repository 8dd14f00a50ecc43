"""The shape of a legal source (``domain.sources.LegalSource``) in responses."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

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
