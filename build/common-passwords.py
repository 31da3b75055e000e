"""Writes src/LabelHub.Domain/Identity/common-passwords.txt (CommonPasswordValidator): python3 build/common-passwords.py"""
import itertools
import os
top = """123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football monkey
letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212
000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger
sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233 george computer michelle
jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua
cheese amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor
matrix minecraft william corvette hello martin heather secret merlin diamond 1234qwer gfhjkm hammer silver 222222
88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange 11111 golfer cookie richard samantha
bigdog guitar jackson whatever mickey chicken sparky snoopy maverick phoenix camaro peanut morgan welcome falcon
cowboy ferrari samsung andrea smokey steelers joseph mercedes dakota arsenal eagles melissa boomer booboo spider
nascar monster tigers yellow xxxxxx 123123123 gateway marina diablo bulldog qwer1234 compaq purple hardcore banana
junior hannah 123654 porsche lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000
miller boston q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox player nikita knight
fender barney midnight please brandy chicago badboy slayer rangers charles angel flower bigdaddy rabbit wizard
bigdick jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter prince panties
marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf crystal 87654321 12344321
golf 8675309 panther lauren angela bitch thx1138 angels madison winston shannon mike toyota blowjob jordan23 canada
sophie apples dick tiger razz 123abc pokemon qazxsw 55555 qwaszx muffin johnson murphy cooper jonathan liverpoo
david danielle 159357 jackie 1990 123456a 789456 turtle horny abcd1234 scorpion qazwsxedc 101010 butter carlos password1
dennis slipknot qwerty123 booger asdf 1991 black startrek 12341234 cameron newyork rainbow nathan john 1992 rocket
viking redskins butthead asdfghjkl 1212 sierra peaches gemini doctor wilson sandra helpme qwertyui victor florida
dolphin pookie captain tucker blue liverpool theman bandit dolphins maddog packers jaguar lovers nicholas united
tiffany maxwell zzzzzz nirvana jeremy suckit stupid porn monica elephant giants jackass hotdog rosebud success
debbie mountain 444444 xxxxxxxx warrior 1q2w3e4r5t 123456q albert metallic lucky azerty 7777 shithead alex bond007
alexis 1111111 samson 5150 willie scorpio bonnie gators benjamin voodoo driver dexter 2112 jason calvin freddy 212121
creative 12345a sydney rush2112 1989 asdfghjk red123 bubba 4815162342 passw0rd trouble gunner happy florida1 gordon
legend jessie stella qwert eminem arthur apple nissan bullshit bear america1 cherry pa55word 11223344 mustang1 sunshine1
letmein1 welcome1 iloveyou1 princess1 football1 baseball1 monkey1 charlie1 shadow1 master1 dragon1 superman1 michael1
admin administrator admin123 root toor changeme default guest user login labelhub qwerty1 password123 passwort
motdepasse contrasena senha parola wachtwoord haslo salasana lozinka jelszo heslo sifre parool adgangskode
secret123 letmein123 welcome123 abc12345 abcdef abcdefg abcdefgh abcdefghi abcdefghij 0987654321 9876543210
iloveyou2 loveyou lovely loveme trustme changeit temp temp123 test123 testing testtest demo demo123 sample
qwerty12 qwerty1234 qwertyu asdfgh123 zaq12wsx zaq1zaq1 1qazxsw2 xsw21qaz 1q2w3e 1q2w3e4r5t6y 1q2w3e4r5t6y7u8i9o0p
q1w2e3 q1w2e3r4t5y6 a1b2c3 a1b2c3d4 a1s2d3f4 z1x2c3v4 qweasd qweasdzxc qweqwe asdasd zxczxc 147258369 147258 741852963
963852741 159951 123789 456789 147852 258456 112358 314159 3141592653 2718281828 sarang saranghae saranghaeyo
sarangheyo iloveu ilovekorea korea daehanminguk seoul busan hangul kimchi samsung lg hyundai naver kakao daum
""".split()
words = """password pass passwd welcome letmein admin login master dragon monkey shadow sunshine princess football baseball
soccer hockey basketball iloveyou love lovely angel summer winter spring autumn flower flowers secret freedom friend
friends family hello whatever computer internet security qwerty starwars pokemon minecraft batman superman spiderman
michael jennifer jessica ashley charlie thomas daniel robert andrew joshua matthew anthony william james john david
chris jordan hunter tigger buster cookie pepper ginger maggie bailey buddy lucky rocky coffee chocolate banana orange
apple cherry purple yellow silver golden diamond crystal rainbow thunder phoenix falcon eagle tiger lion wolf bear
dolphin turtle rabbit kitten puppy doggy mother father sister brother mommy daddy baby honey sweetie sweetheart
beautiful pretty happy smile heaven jesus christ church blessed faith trinity matrix hacker killer ninja samurai
warrior knight wizard merlin gandalf hobbit legolas frodo galaxy planet universe ocean forest mountain river
london paris berlin tokyo seoul newyork chicago boston dallas texas california florida canada america england
germany france korea china japan india russia brazil mexico spain italy company office manager welcome school
college student teacher doctor nurse police soldier marine army navy letmein trustno1 access system server
database network wireless default changeme temppass newpass mypass mypassword yourpassword thepassword
labelhub annotator reviewer labeling""".split()
suffixes = ["", "1", "12", "123", "1234", "12345", "!", "1!", "123!", "01", "007", "69", "00", "11", "@123", "2024", "2025", "2026"]
out = set(w.lower() for w in top)
for w in words:
    for s in suffixes:
        out.add(w + s)
    if w in words[:25]:
        for y in range(1970, 2031):
            out.add(f"{w}{y}")
    out.add(w.capitalize())
rows = ["`1234567890-=", "1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "ytrewq", "poiuytrewq"]
for r in rows:
    for n in range(6, len(r) + 1):
        for i in range(len(r) - n + 1):
            s = r[i:i + n]
            out.add(s); out.add(s[::-1]); out.add(s + s[:4])
cols = ["1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/"]
for n in range(2, 6):
    for i in range(len(cols) - n + 1):
        s = "".join(cols[i:i + n]); out.add(s); out.add(s[::-1])
for d in "0123456789abcdefghijklmnopqrstuvwxyz":
    for n in range(6, 13):
        out.add(d * n)
for n in range(6, 13):
    for a, b in itertools.permutations("0123456789", 2):
        out.add((a + b) * (n // 2))
for y in range(1950, 2031):
    out.add(f"{y}{y}"); out.add(f"0101{y}"); out.add(f"{y}0101")
out = sorted(x.lower() for x in out if 4 <= len(x) <= 64 and x.isprintable() and " " not in x)
print(len(out))
header = "# Common and easily guessed passwords, one per line, lower case (CommonPasswordValidator).\n# Written for LabelHub: well-known top passwords, common words with the usual number and year suffixes,\n# keyboard walks, repeated characters and dates. Not taken from any breach dump.\n"
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "LabelHub.Domain", "Identity", "common-passwords.txt"), "w").write(header + "\n".join(out) + "\n")
