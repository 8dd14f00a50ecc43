"""The fixed texts of a result document in the portal's four languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Labels:
    kinds: dict[str, str]  # the title of an approval, by the service's result kind
    refusal: str  # the title of a refusal
    refused: str  # with {tracking} and {service}
    outcome: str
    approved: str
    rejected: str
    registration_number: str
    decided_at: str
    tracking_number: str
    service: str
    agency: str
    territory: str
    applicant: str
    pinfl: str
    certified: str  # heading of the facts a certificate, registration or extract certifies
    terms: str  # heading of a permit's or licence's terms
    particulars: str  # heading of what another kind of approval grants
    valid_from: str
    valid_until: str
    no_time_limit: str
    reasons: str
    legal_basis: str
    officer: str
    officer_unnamed: str  # with {account}
    verification: str
    verify_sentence: str
    code: str
    address: str
    page: str


# Uzbek Latin uses U+02BB (modifier letter turned comma) in oʻ and gʻ.
LABELS: Final[dict[str, Labels]] = {
    "uz-Latn": Labels(
        kinds={
            "certificate": "Maʼlumotnoma",
            "registration": "Roʻyxatdan oʻtkazilganlik toʻgʻrisidagi guvohnoma",
            "extract": "Koʻchirma",
            "permit": "Ruxsatnoma",
            "licence": "Litsenziya",
            "decision": "Qaror",
            "benefit": "Tayinlash toʻgʻrisidagi qaror",
            "connection": "Ulanishga ruxsat",
            "enrolment": "Qabul qilish toʻgʻrisidagi qaror",
            "information": "Javob xati",
        },
        refusal="Rad etish toʻgʻrisidagi qaror",
        refused="«{service}» xizmati boʻyicha {tracking} raqamli ariza quyidagi asoslarga "
        "koʻra rad etildi.",
        outcome="Natija",
        approved="Tasdiqlandi",
        rejected="Rad etildi",
        registration_number="Roʻyxatga olish raqami",
        decided_at="Qaror sanasi",
        tracking_number="Ariza kuzatuv raqami",
        service="Xizmat",
        agency="Davlat organi",
        territory="Hudud",
        applicant="Ariza beruvchi",
        pinfl="JShShIR",
        certified="Tasdiqlanadigan maʼlumotlar",
        terms="Shartlar",
        particulars="Maʼlumotlar",
        valid_from="Amal qilish boshlanishi",
        valid_until="Amal qilish tugashi",
        no_time_limit="Muddatsiz",
        reasons="Asoslar",
        legal_basis="Huquqiy asos",
        officer="Qaror qabul qilgan xodim",
        officer_unnamed="Ism-sharifi koʻrsatilmagan (hisob: {account})",
        verification="Hujjatni tekshirish",
        verify_sentence="Hujjatning haqiqiyligini tekshirish uchun QR kodni skanerlang yoki "
        "quyidagi manzilni oching.",
        code="Tekshirish kodi",
        address="Tekshirish manzili",
        page="Sahifa",
    ),
    "uz-Cyrl": Labels(
        kinds={
            "certificate": "Маълумотнома",
            "registration": "Рўйхатдан ўтказилганлик тўғрисидаги гувоҳнома",
            "extract": "Кўчирма",
            "permit": "Рухсатнома",
            "licence": "Лицензия",
            "decision": "Қарор",
            "benefit": "Тайинлаш тўғрисидаги қарор",
            "connection": "Уланишга рухсат",
            "enrolment": "Қабул қилиш тўғрисидаги қарор",
            "information": "Жавоб хати",
        },
        refusal="Рад этиш тўғрисидаги қарор",
        refused="«{service}» хизмати бўйича {tracking} рақамли ариза қуйидаги асосларга "
        "кўра рад этилди.",
        outcome="Натижа",
        approved="Тасдиқланди",
        rejected="Рад этилди",
        registration_number="Рўйхатга олиш рақами",
        decided_at="Қарор санаси",
        tracking_number="Ариза кузатув рақами",
        service="Хизмат",
        agency="Давлат органи",
        territory="Ҳудуд",
        applicant="Ариза берувчи",
        pinfl="ЖШШИР",
        certified="Тасдиқланадиган маълумотлар",
        terms="Шартлар",
        particulars="Маълумотлар",
        valid_from="Амал қилиш бошланиши",
        valid_until="Амал қилиш тугаши",
        no_time_limit="Муддатсиз",
        reasons="Асослар",
        legal_basis="Ҳуқуқий асос",
        officer="Қарор қабул қилган ходим",
        officer_unnamed="Исм-шарифи кўрсатилмаган (ҳисоб: {account})",
        verification="Ҳужжатни текшириш",
        verify_sentence="Ҳужжатнинг ҳақиқийлигини текшириш учун QR кодни сканерланг ёки "
        "қуйидаги манзилни очинг.",
        code="Текшириш коди",
        address="Текшириш манзили",
        page="Саҳифа",
    ),
    "ru": Labels(
        kinds={
            "certificate": "Справка",
            "registration": "Свидетельство о регистрации",
            "extract": "Выписка",
            "permit": "Разрешение",
            "licence": "Лицензия",
            "decision": "Решение",
            "benefit": "Решение о назначении",
            "connection": "Разрешение на подключение",
            "enrolment": "Решение о приёме",
            "information": "Ответ",
        },
        refusal="Решение об отказе",
        refused="Заявление № {tracking} по услуге «{service}» отклонено по основаниям, "
        "изложенным ниже.",
        outcome="Результат",
        approved="Одобрено",
        rejected="Отказано",
        registration_number="Регистрационный номер",
        decided_at="Дата решения",
        tracking_number="Номер заявления",
        service="Услуга",
        agency="Ведомство",
        territory="Территория",
        applicant="Заявитель",
        pinfl="ПИНФЛ",
        certified="Удостоверяемые сведения",
        terms="Условия",
        particulars="Сведения",
        valid_from="Действует с",
        valid_until="Действует по",
        no_time_limit="Бессрочно",
        reasons="Обоснование",
        legal_basis="Правовое основание",
        officer="Должностное лицо",
        officer_unnamed="ФИО не указано (учётная запись {account})",
        verification="Проверка подлинности",
        verify_sentence="Чтобы проверить подлинность документа, отсканируйте QR-код или "
        "откройте адрес ниже.",
        code="Код проверки",
        address="Адрес проверки",
        page="Страница",
    ),
    "en": Labels(
        kinds={
            "certificate": "Certificate",
            "registration": "Certificate of registration",
            "extract": "Extract",
            "permit": "Permit",
            "licence": "Licence",
            "decision": "Decision",
            "benefit": "Benefit award",
            "connection": "Connection approval",
            "enrolment": "Enrolment decision",
            "information": "Reply",
        },
        refusal="Decision to refuse",
        refused="Application {tracking} for “{service}” is refused on the grounds set out below.",
        outcome="Outcome",
        approved="Approved",
        rejected="Rejected",
        registration_number="Registration number",
        decided_at="Date of decision",
        tracking_number="Application tracking number",
        service="Service",
        agency="Agency",
        territory="Territory",
        applicant="Applicant",
        pinfl="PINFL",
        certified="Certified facts",
        terms="Terms",
        particulars="Particulars",
        valid_from="Valid from",
        valid_until="Valid until",
        no_time_limit="No time limit",
        reasons="Reasons",
        legal_basis="Legal basis",
        officer="Officer",
        officer_unnamed="Name not on record (account {account})",
        verification="Verification",
        verify_sentence="To check that this document is genuine, scan the QR code or open "
        "the address below.",
        code="Verification code",
        address="Verification address",
        page="Page",
    ),
}

CERTIFIED_KINDS: Final = frozenset({"certificate", "registration", "extract"})
TERM_KINDS: Final = frozenset({"permit", "licence"})
