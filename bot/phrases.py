"""What the bot service itself says, when Rasa cannot, in each supported language."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "too_long": {
        "tr": "Mesajınız çok uzun ({length} karakter). Kaydettim, ama yanıt verebilmem için sorunuzu "
        "en fazla {limit} karakterle, kısaca yazar mısınız?",
        "en": "Your message is very long ({length} characters). I've saved it, but to answer I need the "
        "question in at most {limit} characters. Could you put it briefly?",
    },
    "handed_off_unavailable": {
        "tr": "Şu anda otomatik asistanımıza ulaşılamıyor. Mesajınızı kaybetmedik: destek ekibimize "
        "#{ticket} numaralı talep olarak ilettik, size buradan dönecekler.",
        "en": "Our assistant can't be reached right now. Your message is safe: we've passed it to our "
        "support team as ticket #{ticket}, and they will reply here.",
    },
    "repeat": {
        "tr": "Aynı mesajı tekrar aldım; yanıtım yukarıda. Başka bir sorunuz varsa yazabilirsiniz.",
        "en": "I got the same message again; my reply is above. If you have another question, go ahead.",
    },
    "bot_back": {
        "tr": "Destek ekibimiz #{ticket} numaralı talebinizi çözüldü olarak kapattı. Ben yine buradayım: "
        "başka bir sorunuz olursa yazabilirsiniz.",
        "en": "Our support team has marked ticket #{ticket} as solved. I'm back: if you have another "
        "question, just ask.",
    },
    "unavailable": {
        "tr": "Şu anda bir sorun yaşıyoruz. Mesajınız kaydedildi; lütfen biraz sonra tekrar deneyin.",
        "en": "We're having a problem right now. Your message is saved; please try again in a moment.",
    },
}


def phrase(key: str, language: str | None, **values: object) -> str:
    texts = PHRASES[key]
    return texts.get(language or "", texts["en"]).format(**values)
