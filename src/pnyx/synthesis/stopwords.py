"""French stop words, without accents (they are matched after accents are stripped).

Function words (articles, pronouns, prepositions, conjunctions), the forms of être, avoir,
faire, pouvoir, devoir, falloir, and the adverbs and fillers that table outputs use everywhere
("il faut", "plus", "trop", "aussi", "etc.") and that would otherwise glue unrelated ideas
together. Kept here, not downloaded: the list is part of the method and is reviewed with it.
"""

from __future__ import annotations

_WORDS = """
a ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais
aurait auras aurez auriez aurions aurons auront aussi autant autre autres aux auxquelles
auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant ayez ayons

beaucoup

c ca car ce ceci cela celle celles celui cependant certain certaine certaines certains ces
cet cette ceux chacun chacune chaque chez ci comme comment contre

d dans de des desquelles desquels deja deux devant devoir devons devez doit doivent donc dont
du duquel durant

e elle elles en encore entre es est et etaient etais etait etant ete etes etiez etions etre
eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut eux etc

faire fais fait faites faut falloir font fut

grace

hors

i ici il ils

j je jusqu jusque

l la laquelle le lequel les lesquelles lesquels leur leurs lorsqu lorsque lui

m ma mais me meme memes mes moi moins mon

n ne ni non nos notre nous

o on ont ou

par parce parfois pas pendant peu peut peuvent plus plusieurs pour pourquoi pourra
pourrait pouvoir pouvons pouvez puis puisqu puisque

qu quand que quel quelle quelles quels qui quoi quelque quelques

s sa sans se selon sera serai seraient serais serait seras serez seriez serions serons
seront ses si sien sienne siens sinon soi soient sois soit sommes son sont sous souvent
soyez soyons suis sur surtout

t ta tant te tel telle telles tels tes toi ton toujours tous tout toute toutes tres trop tu

un une unes uns

va vais vers via voici voila vont vos votre vous

y
"""

STOP_WORDS: frozenset[str] = frozenset(_WORDS.split())
