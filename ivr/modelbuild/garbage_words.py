"""Everyday words used to train the garbage unit ``[unk]``.

They stand for "any speech outside the vocabulary": the builder removes
every vocabulary word from these lists and speaks the rest in sentences,
so ``[unk]`` learns what other speech sounds like. Pseudo-words built
from the language's syllables widen the coverage further.
"""

from __future__ import annotations

import numpy as np

_RU = """
дом кошка собака окно стол стул книга река лес поле море небо солнце луна звезда
дерево цветок трава камень гора дорога улица город деревня школа учитель ученик
мама папа брат сестра бабушка дедушка сын дочь друг подруга сосед врач повар
хлеб молоко сыр масло мясо рыба суп каша чай кофе сахар соль яблоко груша вишня
картошка морковь капуста лук огурец помидор ягода гриб орех мед варенье пирог
утро вечер ночь весна лето осень зима неделя месяц год праздник отпуск погода
дождь снег ветер туман мороз жара облако радуга гроза лужа листья ветка корень
машина автобус поезд самолет корабль велосипед лодка метро вокзал аэропорт билет
красный синий зеленый желтый белый черный серый розовый голубой коричневый
большой маленький длинный короткий высокий низкий широкий узкий старый новый
быстро медленно громко тихо весело грустно тепло холодно светло темно рано поздно
читать писать рисовать петь танцевать гулять бегать прыгать плавать летать спать
играть думать знать видеть слышать любить строить варить мыть шить ловить сажать
музыка песня картина театр кино выставка концерт газета журнал письмо открытка
рука нога голова глаз ухо нос рот зуб волосы палец плечо спина сердце колено
карандаш ручка тетрадь бумага портфель доска мел линейка ножницы клей краска
часы ключ лампа зеркало шкаф кровать диван ковер подушка одеяло полотенце мыло
платье рубашка брюки юбка куртка шапка шарф перчатки сапоги туфли носки пальто
медведь волк лиса заяц белка ежик лошадь корова коза овца свинья курица утка
гусь петух воробей ворона голубь сова орел лебедь бабочка пчела муравей комар
сад огород забор крыльцо крыша чердак подвал лестница балкон кухня спальня
история география математика физика химия биология литература грамматика
путешествие приключение сказка загадка игрушка мячик кукла пирамидка кубики
олень тигр слон жираф обезьяна крокодил черепаха змея лягушка кит дельфин
осторожно вкусно красиво интересно удобно просто сложно смешно страшно странно
""".split()

_EN = """
house cat dog window table chair book river forest field sea sky sun moon star
tree flower grass stone mountain road street city village school teacher student
mother father brother sister grandmother grandfather son daughter friend neighbour
bread milk cheese butter meat fish soup tea coffee sugar salt apple pear cherry
potato carrot cabbage onion cucumber tomato berry mushroom nut honey jam pie cake
morning evening night spring summer autumn winter week month year holiday weather
rain snow wind fog frost heat cloud rainbow storm puddle leaves branch root garden
car bus train plane ship bicycle boat subway station airport ticket journey
red blue green yellow white black grey pink purple brown orange golden silver
big small long short tall low wide narrow old young quick slow loud quiet happy
read write draw sing dance walk run jump swim fly sleep play think know see hear
music song picture theatre cinema concert newspaper magazine letter postcard
hand foot head eye ear nose mouth tooth hair finger shoulder back heart knee
pencil pen notebook paper bag board chalk ruler scissors glue paint brush
clock key lamp mirror wardrobe bed sofa carpet pillow blanket towel soap bucket
dress shirt trousers skirt jacket hat scarf gloves boots shoes socks coat
bear wolf fox rabbit squirrel hedgehog horse cow goat sheep pig chicken duck
goose rooster sparrow crow pigeon owl eagle swan butterfly bee ant mosquito
fence porch roof attic cellar ladder balcony kitchen bedroom bathroom hallway
history geography mathematics physics chemistry biology literature grammar
adventure fairy riddle toy ball doll puzzle castle dragon wizard pirate treasure
deer tiger elephant giraffe monkey crocodile turtle snake frog whale dolphin
carefully tasty beautiful interesting comfortable simple difficult funny scary
""".split()

_SYLLABLES = {
    "ru": (
        "ба бо ву га да де жи за ка ко ла ли лу ма ми мо на но па пе ро ру са се "
        "та то ту фа ха ца че ша шу ям ры вы ны ки ге ле не пи ре ти"
    ).split(),
    "en": (
        "ba bo ca de di do fa fe ga go ha he ja ka ki la le li lo ma me mi mo na "
        "ne no pa pe po ra re ri ro sa se so ta te ti to va ve wa we ya zo"
    ).split(),
}

_WORDS = {"ru": _RU, "en": _EN}


def garbage_words(lang: str, exclude: set[str], *, pseudo: int, seed: int) -> list[str]:
    """Real words of ``lang`` not in ``exclude``, plus ``pseudo`` made-up words."""
    if lang not in _WORDS:
        raise ValueError(f"no garbage words for language {lang!r}; known: {sorted(_WORDS)}")
    real = [w for w in dict.fromkeys(_WORDS[lang]) if w not in exclude]
    rng = np.random.default_rng(seed)
    syllables = _SYLLABLES[lang]
    made: list[str] = []
    while len(made) < pseudo:
        n = int(rng.integers(2, 4))
        word = "".join(syllables[int(i)] for i in rng.integers(0, len(syllables), n))
        if word not in exclude and word not in made:
            made.append(word)
    return real + made
