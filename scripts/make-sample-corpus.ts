// Generates the built-in sample corpus (assets/sample-corpus/) from seeded templates: our own
// sentences, nothing copied. Run: npx tsx scripts/make-sample-corpus.ts [outDir]  (same output every time)
//   sample-en.txt          English paragraphs (a protagonist, 3–7 related sentences each: GPT, BERT's
//                          next-sentence pairs, T5 span corruption)
//   sample-zh.txt          Chinese paragraphs built the same way
//   sample-reviews.tsv     label<TAB>text, English product reviews, 1 = positive, 0 = negative
//   sample-reviews-zh.csv  label,review, Chinese food-delivery reviews (CSV, quoted where needed)
// Labels follow the words: positive/negative adjectives, negation ("not good" is negative),
// and "X, but Y" reviews whose verdict is Y, so a classifier has something real to learn.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, type Rng } from '../src/engine/data/rng';

const OUT = process.argv[2] ?? join(import.meta.dirname, '..', 'assets', 'sample-corpus');
const rng: Rng = mulberry32(20261129);
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
const chance = (p: number) => rng.next() < p;
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

// ---------------------------------------------------------------- English paragraphs
interface Actor { name: string; pronoun: 'he' | 'she' | 'it'; kind: 'animal' | 'person' }
const ACTORS: Actor[] = [
  ...['the cat', 'the old dog', 'a small bird', 'the grey rabbit', 'the young fox', 'the white horse', 'the little mouse', 'the brown bear'].map((name) => ({ name, pronoun: 'it' as const, kind: 'animal' as const })),
  ...['Tom', 'the farmer', 'my brother', 'the old man', 'the baker', 'Uncle Li', 'the doctor', 'the fisherman'].map((name) => ({ name, pronoun: 'he' as const, kind: 'person' as const })),
  ...['Anna', 'the teacher', 'my sister', 'the old woman', 'the nurse', 'Grandma', 'the painter', 'Mei'].map((name) => ({ name, pronoun: 'she' as const, kind: 'person' as const })),
];
const PLACES = ['on the mat', 'in the garden', 'by the river', 'under the old tree', 'in the kitchen', 'near the window', 'on the hill', 'in the small house', 'at the market', 'behind the barn', 'in the park', 'on the bridge'];
const TIMES = ['in the morning', 'after lunch', 'in the evening', 'at night', 'every day', 'on Sunday', 'before dinner', 'in the spring', 'when it rained', 'at sunrise'];
const INTRANS: Record<'animal' | 'person', [string, string][]> = {
  animal: [['sleeps', 'slept'], ['sits', 'sat'], ['plays', 'played'], ['waits', 'waited'], ['runs', 'ran'], ['rests', 'rested'], ['hides', 'hid']],
  person: [['sleeps', 'slept'], ['sits', 'sat'], ['works', 'worked'], ['waits', 'waited'], ['walks', 'walked'], ['sings', 'sang'], ['reads', 'read']],
};
// [base, present (3rd person), past, objects]
const TRANS: Record<'animal' | 'person', [string, string, string, string[]][]> = {
  animal: [['eat', 'eats', 'ate', ['some bread', 'a fish', 'the seeds', 'an apple']], ['chase', 'chases', 'chased', ['a ball', 'the leaves', 'a butterfly', 'its tail']], ['watch', 'watches', 'watched', ['the birds', 'the rain', 'the children', 'the moon']]],
  person: [['read', 'reads', 'read', ['a long book', 'the letter', 'the newspaper', 'a story']], ['cook', 'cooks', 'cooked', ['some rice', 'a warm soup', 'fresh fish', 'noodles']], ['paint', 'paints', 'painted', ['the door', 'a picture of the sea', 'the fence', 'a blue flower']], ['buy', 'buys', 'bought', ['fresh bread', 'two apples', 'a new hat', 'some tea']], ['write', 'writes', 'wrote', ['a letter', 'a short poem', 'a list', 'a song']]],
};
const FEELINGS = ['happy', 'tired', 'hungry', 'calm', 'sleepy', 'curious', 'cold', 'proud', 'sad', 'busy'];
// [present, past]
const REASONS: [string, string][] = [['the day is long', 'the day was long'], ['the sun is warm', 'the sun was warm'], ['the house is quiet', 'the house was quiet'], ['the wind is cold', 'the wind was cold'], ['a friend comes to visit', 'a friend came to visit'], ['the work is done', 'the work was done'], ['the rain does not stop', 'the rain did not stop']];
const WEATHER = ['The sky was clear.', 'It was a windy day.', 'Rain fell softly on the roof.', 'The air smelled of flowers.', 'Snow covered the ground.', 'The river was loud after the storm.'];

function englishParagraph(): string {
  const a = pick(ACTORS);
  const past = chance(0.6);
  const v = (pair: [string, string]) => (past ? pair[1] : pair[0]);
  const be = past ? 'was' : 'is';
  const subj = (first: boolean) => (first ? cap(a.name) : cap(a.pronoun));
  const out: string[] = [];
  const n = 3 + rng.int(5);
  for (let i = 0; i < n; i++) {
    const s = subj(i === 0);
    const form = rng.int(7);
    switch (i === 0 && form === 3 ? 0 : form) { // a paragraph opens by naming its protagonist
      case 0: out.push(`${s} ${v(pick(INTRANS[a.kind]))} ${pick(PLACES)} ${pick(TIMES)}.`); break;
      case 1: { const [, p, q, objs] = pick(TRANS[a.kind]); out.push(`${s} ${v([p, q])} ${pick(objs)} ${pick(PLACES)}.`); break; }
      case 2: out.push(`${s} ${be} ${pick(FEELINGS)} because ${v(pick(REASONS))}.`); break;
      case 3: out.push(past ? pick(WEATHER) : pick(WEATHER).replace(' was ', ' is ').replace('fell', 'falls').replace('smelled', 'smells').replace('covered', 'covers')); break;
      case 4: { const b = pick(ACTORS.filter((x) => x !== a)); out.push(`${s} ${past ? 'met' : 'meets'} ${b.name} ${pick(PLACES)}, and they ${past ? 'talked' : 'talk'} for a while.`); break; }
      case 5: {
        const q = `"Where is ${pick(['the key', 'my hat', 'the cat', 'the map', 'the bread'])}?"`;
        out.push(i === 0 ? `${q} ${past ? 'asked' : 'asks'} ${a.name}.` : `${q} ${a.pronoun} ${past ? 'asked' : 'asks'}.`); break;
      }
      default: { const [base, , , objs] = pick(TRANS[a.kind]); out.push(`${s} ${past ? 'did not' : 'does not'} ${base} ${pick(objs)}, so ${a.pronoun} ${v(pick(INTRANS[a.kind]))} ${pick(PLACES)}.`); }
    }
  }
  return out.join(' ');
}

// ---------------------------------------------------------------- Chinese paragraphs
const ZH_ACTORS: [string, string][] = [['猫', '它'], ['小狗', '它'], ['小鸟', '它'], ['兔子', '它'], ['老马', '它'], ['小明', '他'], ['农夫', '他'], ['我的哥哥', '他'], ['老爷爷', '他'], ['面包师', '他'], ['小红', '她'], ['老师', '她'], ['我的妹妹', '她'], ['奶奶', '她'], ['护士', '她'], ['画家', '她']];
const ZH_PLACES = ['在垫子上', '在花园里', '在河边', '在大树下', '在厨房里', '在窗户旁边', '在山坡上', '在小房子里', '在市场上', '在公园里', '在桥上', '在院子里'];
const ZH_TIMES = ['早上', '中午', '晚上', '每天', '星期天', '吃晚饭以前', '春天的时候', '下雨的时候', '太阳出来以后', '半夜'];
const ZH_ACTS = ['睡觉', '休息', '玩耍', '等朋友', '散步', '唱歌', '看书', '晒太阳', '喝茶', '画画'];
const ZH_OBJ_ACTS: [string, string[]][] = [['吃', ['苹果', '面包', '鱼', '米饭', '面条']], ['读', ['一本书', '一封信', '报纸', '一个故事']], ['买', ['新鲜的水果', '一顶帽子', '两斤茶叶', '一些菜']], ['写', ['一封信', '一首诗', '一张清单']], ['看', ['小鸟', '月亮', '下雨', '孩子们玩']]];
const ZH_FEEL = ['很高兴', '有点累', '很饿', '很安静', '很困', '很好奇', '觉得冷', '很骄傲', '有点难过', '很忙'];
const ZH_REASON = ['今天很长', '太阳很暖和', '家里很安静', '风很大', '朋友来看它', '工作做完了', '雨一直没有停'];
const ZH_WEATHER = ['天空很蓝。', '今天风很大。', '雨轻轻地落在屋顶上。', '空气里有花的香味。', '地上盖满了雪。', '暴风雨以后，河水很响。'];

function chineseParagraph(): string {
  const [name, pron] = pick(ZH_ACTORS);
  const out: string[] = [];
  const n = 3 + rng.int(5);
  for (let i = 0; i < n; i++) {
    const s = i === 0 ? name : pron;
    const form = rng.int(7);
    switch (i === 0 && form === 3 ? 0 : form) { // a paragraph opens by naming its protagonist
      case 0: out.push(`${pick(ZH_TIMES)}，${s}${pick(ZH_PLACES)}${pick(ZH_ACTS)}。`); break;
      case 1: { const [verb, objs] = pick(ZH_OBJ_ACTS); out.push(`${s}${pick(ZH_PLACES)}${verb}${pick(objs)}。`); break; }
      case 2: out.push(`${s}${pick(ZH_FEEL)}，因为${pick(ZH_REASON)}。`); break;
      case 3: out.push(pick(ZH_WEATHER)); break;
      case 4: { const [other] = pick(ZH_ACTORS.filter(([x]) => x !== name)); out.push(`${s}${pick(ZH_PLACES)}遇到了${other}，他们聊了一会儿。`); break; }
      case 5: out.push(`“${pick(['钥匙', '我的帽子', '猫', '地图', '面包'])}在哪里？”${s}问。`); break;
      default: { const [verb, objs] = pick(ZH_OBJ_ACTS); out.push(`${s}喜欢${verb}${pick(objs)}，但是不喜欢${pick(ZH_ACTS)}。`); }
    }
  }
  return out.join('');
}

// ---------------------------------------------------------------- English reviews
const PRODUCTS = ['phone', 'laptop', 'pair of headphones', 'coffee maker', 'book', 'hotel room', 'backpack', 'desk lamp', 'pair of shoes', 'blender', 'keyboard', 'tent'];
// aspect → [positive, negative] adjectives that fit it
const ASPECTS: Record<string, [string[], string[]]> = {
  battery: [['long-lasting', 'great', 'reliable'], ['weak', 'terrible', 'dead within hours']],
  screen: [['bright', 'sharp', 'beautiful'], ['dim', 'blurry', 'cracked']],
  sound: [['clear', 'rich', 'great'], ['tinny', 'awful', 'too quiet']],
  price: [['fair', 'great', 'reasonable'], ['too high', 'ridiculous', 'unfair']],
  delivery: [['fast', 'quick', 'on time'], ['slow', 'late', 'careless']],
  'build quality': [['solid', 'excellent', 'sturdy'], ['flimsy', 'cheap', 'poor']],
  design: [['beautiful', 'clever', 'elegant'], ['ugly', 'awkward', 'confusing']],
  'customer service': [['friendly', 'helpful', 'excellent'], ['rude', 'useless', 'slow']],
  size: [['perfect', 'just right', 'convenient'], ['too small', 'too big', 'awkward']],
  manual: [['clear', 'helpful', 'simple'], ['confusing', 'useless', 'unclear']],
};
const ASPECT_NAMES = Object.keys(ASPECTS);
const POS = ['great', 'excellent', 'wonderful', 'comfortable', 'solid', 'beautiful', 'reliable', 'good', 'perfect'];
const NEG = ['terrible', 'awful', 'disappointing', 'flimsy', 'noisy', 'broken', 'bad', 'useless', 'poor'];
const POS_AFTER = ['It works well.', 'It arrived on time.', 'It feels sturdy.', 'It does the job.', 'It still works after a year.'];
const NEG_AFTER = ['It broke after two days.', 'It arrived late.', 'It feels cheap.', 'It does not work.', 'It stopped working after a week.'];
const POS_CLOSE = ['I would buy it again.', 'Highly recommended.', 'Worth every penny.', 'My family loves it.', 'Five stars from me.', 'Very happy with it.'];
const NEG_CLOSE = ['I want my money back.', 'Do not buy this.', 'Not worth the money.', 'I returned it after a week.', 'One star.', 'Very disappointed.'];

function englishReview(positive: boolean): string {
  const prod = pick(PRODUCTS);
  const aspect = (good: boolean) => { const a = pick(ASPECT_NAMES); return `the ${a} is ${pick(ASPECTS[a][good ? 0 : 1])}`; };
  const parts: string[] = [];
  switch (rng.int(5)) {
    case 0: parts.push(`${cap(aspect(positive))}.`); break;
    case 1: parts.push(`This ${prod} is not ${positive ? pick(NEG) : pick(POS)} at all.`); break; // negation flips
    case 2: parts.push(`${cap(aspect(!positive))}, but ${aspect(positive)}.`); break; // the verdict comes after "but"
    case 3: parts.push(positive ? `I love this ${prod}.` : `I hate this ${prod}.`); break;
    default: parts.push(`${cap(positive ? pick(POS) : pick(NEG))} ${prod}, ${aspect(positive)}.`);
  }
  if (chance(0.6)) parts.push(positive ? pick(POS_AFTER) : pick(NEG_AFTER));
  if (chance(0.7)) parts.push(positive ? pick(POS_CLOSE) : pick(NEG_CLOSE));
  return parts.join(' ');
}

// ---------------------------------------------------------------- Chinese reviews
// aspect → [positive, negative] words that fit it
const ZH_ASPECTS: Record<string, [string[], string[]]> = {
  味道: [['很好', '不错', '很香', '特别棒'], ['太差了', '很一般', '太咸了', '不好吃']],
  送餐速度: [['很快', '特别快'], ['太慢了', '很慢']],
  包装: [['很好', '很干净', '很结实'], ['破了', '很脏', '很差']],
  价格: [['很实惠', '很便宜', '很合理'], ['太贵了', '不合理']],
  分量: [['很足', '很大'], ['很少', '太少了']],
  服务: [['很好', '很热情'], ['很差', '态度不好']],
  米饭: [['很香', '很软'], ['太硬了', '凉了']],
  汤: [['很热', '很鲜'], ['凉了', '太咸了']],
};
const ZH_ASPECT_NAMES = Object.keys(ZH_ASPECTS);
const zhAspect = (good: boolean) => { const a = pick(ZH_ASPECT_NAMES); return `${a}${pick(ZH_ASPECTS[a][good ? 0 : 1])}`; };
const ZH_POS_CLOSE = ['下次还会再点。', '推荐大家试试。', '好评！', '非常满意。', '五星好评。'];
const ZH_NEG_CLOSE = ['再也不点了。', '不推荐。', '差评！', '非常失望。', '退款了。'];
const DISHES = ['牛肉面', '宫保鸡丁', '饺子', '炒饭', '麻辣烫', '寿司', '披萨', '鱼香肉丝', '酸菜鱼', '汉堡'];

function chineseReview(positive: boolean): string {
  const parts: string[] = [];
  switch (rng.int(4)) {
    case 0: parts.push(`${zhAspect(positive)}。`); break;
    case 1: parts.push(`${pick(DISHES)}的${zhAspect(!positive)}，但是${zhAspect(positive)}。`); break; // the verdict follows 但是
    case 2: parts.push(`${pick(DISHES)}${positive ? '不难吃' : '不好吃'}，${zhAspect(positive)}。`); break;
    default: parts.push(`点了${pick(DISHES)}, ${zhAspect(positive)}, ${zhAspect(positive)}。`); // ASCII commas: quoted in the CSV
  }
  if (chance(0.7)) parts.push(positive ? pick(ZH_POS_CLOSE) : pick(ZH_NEG_CLOSE));
  return parts.join('');
}

// ---------------------------------------------------------------- write
function unique(make: () => string, count: number, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 50; tries++) {
    const s = make();
    if (!seen.has(s)) { seen.add(s); out.push(s); }
  }
  return out;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

mkdirSync(OUT, { recursive: true });
const en = ['The cat sat on the mat. It was warm and quiet, so it slept there all afternoon. When the sun went down, the cat woke up and looked for its dinner.', ...unique(englishParagraph, 700)];
const zh = ['猫在垫子上睡觉。它很安静，因为家里没有人。太阳下山以后，猫醒了，去厨房里找吃的。', ...unique(chineseParagraph, 900)];
writeFileSync(join(OUT, 'sample-en.txt'), en.join('\n\n') + '\n');
writeFileSync(join(OUT, 'sample-zh.txt'), zh.join('\n\n') + '\n');
const seenEn = new Set<string>(), seenZh = new Set<string>();
const reviews = Array.from({ length: 1400 }, (_, i) => (i % 2 === 0 ? 1 : 0)).map((label) => [label, unique(() => englishReview(label === 1), 1, seenEn)[0]] as const).filter(([, t]) => t);
writeFileSync(join(OUT, 'sample-reviews.tsv'), 'label\ttext\n' + reviews.map(([l, t]) => `${l}\t${t}`).join('\n') + '\n');
const zhReviews = Array.from({ length: 1400 }, (_, i) => (i % 2 === 0 ? 1 : 0)).map((label) => [label, unique(() => chineseReview(label === 1), 1, seenZh)[0]] as const).filter(([, t]) => t);
writeFileSync(join(OUT, 'sample-reviews-zh.csv'), 'label,review\n' + zhReviews.map(([l, t]) => `${l},${csvField(t)}`).join('\n') + '\n');
console.log(`sample corpus: ${en.length} English and ${zh.length} Chinese paragraphs, ${reviews.length} + ${zhReviews.length} labeled reviews → ${OUT}`);
