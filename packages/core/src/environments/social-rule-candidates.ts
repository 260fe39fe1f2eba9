import type { AgentRuntime } from '../agents/agent-runtime';
import type { Observation } from '../agents/brain';
import { ruleTraitDefaults } from '../agents/rule-brain';
import type { Random } from '../random';
import type { EnvironmentContext, RuleCandidate } from './environment';
import type { SocialView } from './social-feed';
import { defaultTopic, follows, type SocialState } from './social-state';
import { readStanceTags, stanceTag, stanceTagPattern, tagMatches, tagNameOf } from './stance-tags';

/** Rule-agent posting and engagement weights; see {@link socialRuleCandidates}. */
const socialRules = {
  /** Feed items (best ranked first) a rule agent looks at in one step. */
  feedItemsConsidered: 10,
  /** Chance of looking at the feed at all: base + weight × sociability. */
  attentionBase: 0.5,
  attentionWeight: 0.5,
  /** Posting chance: sociability × conviction × (base + weight × max(confidence, arousal)). */
  postBase: 0.35,
  postWeight: 0.65,
  /** Post score: base + slope × |position| × (0.5 + confidence). */
  postScore: 0.03,
  postSlope: 0.06,
  /** Score of sharing news: base + weight × sociability. */
  newsScore: 0.2,
  newsWeight: 0.2,
  /** Confidence bound and trust when the scenario declares no beliefs. */
  defaultEpsilon: 0.5,
  defaultTrust: 0.5,
  /** Following an author counts as this much extra trust. */
  followTrustBonus: 0.15,
  /** Least trust (besides agreement ≥ 0.5) for following an author. */
  followTrust: 0.4,
  /** Salience of a post without a stance (or a stance of 0); a stance of ±1 has salience 1. */
  salienceBase: 0.25,
  /** Score slopes of liking, reposting, following and replying. */
  like: 0.12,
  repost: 0.2,
  follow: 0.1,
  reply: 0.15,
  /** Most candidates proposed per step. */
  maxCandidates: 4,
} as const;

/** Words for a stance band, strongest "for" first; the last band is the strongest "against". */
const stancePhrases: ReadonlyArray<readonly [number, readonly string[]]> = [
  [0.6, ['No doubt about it.', 'I am convinced.']],
  [0.2, ['Leaning yes.', 'Seems right to me.']],
  [-0.2, ['Not sure either way.', 'Hard to tell yet.']],
  [-0.6, ['I doubt it.', 'Not convinced.']],
  [-1, ['Nonsense.', 'Simply not true.']],
];

function phraseFor(stance: number, random: Random): string {
  const band = stancePhrases.find(([floor]) => stance >= floor) ?? stancePhrases[stancePhrases.length - 1];
  return random.pick(band?.[1] ?? ['']);
}

function clampUnit(value: number): number {
  return Math.max(-1, Math.min(1, value));
}

function roundStance(value: number): number {
  return Math.round(clampUnit(value) * 100) / 100;
}

type RuleTrait = keyof typeof ruleTraitDefaults;

function traitOf(agent: AgentRuntime, name: RuleTrait): number {
  return agent.spec.traits[name] ?? ruleTraitDefaults[name];
}

/**
 * Moves a rule agent could make in a social environment (see {@link Environment.ruleCandidates}),
 * from what it observed: its feed, its beliefs, its traits and mood. Nothing changes.
 *
 * Its position and confidence on a topic come from `observation.beliefs` (0 and 0 on topics
 * without a belief). Trust in an author is the scenario's initial trust (`beliefs.trust.initial`,
 * 0.5 without beliefs), plus 0.15 for an author it follows. Agreement with a post follows bounded
 * confidence: 1 for a stance within ε/2 of its position, falling linearly to 0 at ε (ε from
 * `beliefs.epsilon`, 0.5 without beliefs; a post without a stance counts as 0.5). Salience is
 * 0.25 + 0.75 × |stance| (strong claims engage more), freshness 2^(−(age − 1) / half-life) with
 * the feed's `recency_half_life`, and appeal = agreement × trust × salience × freshness.
 *
 * - **News.** The first event that reached the agent this step and names a topic (a stance tag
 *   `#topic ±x` in its description, else its `type` equal to a topic) is posted with probability
 *   0.5 + 0.5 × sociability, with the tag's stance or else the agent's position; score
 *   0.2 + 0.2 × sociability.
 * - **Post.** It picks a topic with weight |position| × (0.5 + confidence) (what it has no view on
 *   it does not talk about) and posts with probability sociability × conviction × (0.35 + 0.65 ×
 *   max(confidence, arousal)), conviction = min(1, 0.25 + 1.5 × |position|); stance = position
 *   plus noise that shrinks with confidence; score 0.03 + 0.06 × |position| × (0.5 + confidence).
 * - **Feed.** With probability 0.5 + 0.5 × sociability it reads its 10 best-ranked feed items and
 *   keeps the best of each: like (0.12 × appeal − 0.02), repost (0.2 × appeal × (0.4 + 0.6 ×
 *   max(cooperation, sociability)) − 0.02), follow an author it does not follow when agreement ≥
 *   0.5 and trust ≥ 0.4 (0.1 × appeal − 0.03), reply with its own stance to a post at least ε
 *   away (0.15 × confidence × min((distance − ε) / ε, 1) × salience × freshness − 0.02), and
 *   unfollow the author of such a post (0.06 × confidence − 0.04). Posts it already liked or
 *   reposted are skipped.
 *
 * It returns the best 4, best first. Everything it writes starts with a stance tag
 * ({@link stanceTag}), so rule agents elsewhere (market traders reading their digest) can read it.
 */
export function socialRuleCandidates(
  state: SocialState,
  agent: AgentRuntime,
  observation: Observation,
  context: EnvironmentContext,
  random: Random,
): RuleCandidate[] {
  const id = agent.spec.id;
  if (!state.memberSet.has(id)) return [];
  const view = observation.environments[state.name] as SocialView | undefined;
  if (!view) return [];
  const sociability = traitOf(agent, 'sociability');
  const cooperation = traitOf(agent, 'cooperation');
  const arousal = observation.self.mood.arousal;
  const beliefs = context.scenario.beliefs;
  const epsilon = beliefs?.epsilon ?? socialRules.defaultEpsilon;
  const baseTrust = beliefs?.trust.initial ?? socialRules.defaultTrust;
  const topics = state.topics.length > 0 ? state.topics : [defaultTopic];
  const beliefOn = (topic: string) => observation.beliefs[topic];
  const candidates: RuleCandidate[] = [];

  const news = newsCandidate(state, observation, topics, sociability, random);
  if (news) candidates.push(news);

  const chosen = chooseTopic(topics, observation, random);
  const chosenBelief = beliefOn(chosen);
  // Agents talk about what they hold views on: a neutral agent posts a quarter as often.
  const conviction = chosenBelief ? Math.min(1, 0.25 + 1.5 * Math.abs(chosenBelief.position)) : 1;
  const postChance =
    sociability *
    conviction *
    (socialRules.postBase + socialRules.postWeight * Math.max(chosenBelief?.confidence ?? 0, arousal));
  if (random.next() < postChance) {
    const position = chosenBelief?.position ?? 0;
    const confidence = chosenBelief?.confidence ?? 0;
    const stance = chosenBelief
      ? roundStance(position + random.normal(0, 0.1 * (1 - confidence)))
      : undefined;
    const text =
      stance === undefined
        ? `#${tagNameOf(chosen)} ${phraseFor(0, random)}`
        : `${stanceTag(chosen, stance)} ${phraseFor(stance, random)}`;
    candidates.push({
      call: {
        tool: `${state.name}_post`,
        arguments: { text, topic: chosen, ...(stance !== undefined ? { stance } : {}) },
      },
      score: socialRules.postScore + socialRules.postSlope * Math.abs(position) * (0.5 + confidence),
      note: `post on ${chosen}${stance !== undefined ? ` (stance ${stance.toFixed(2)})` : ''}`,
    });
  }

  if (random.next() < socialRules.attentionBase + socialRules.attentionWeight * sociability) {
    const best = new Map<string, RuleCandidate>();
    const keep = (kind: string, candidate: RuleCandidate) => {
      const current = best.get(kind);
      if (!current || candidate.score > current.score) best.set(kind, candidate);
    };
    const amplification = 0.4 + 0.6 * Math.max(cooperation, sociability);
    const halfLife = state.definition.ranking.recency_half_life;
    for (const item of view.feed.slice(0, socialRules.feedItemsConsidered)) {
      const post = state.postsById.get(item.id);
      if (!post || post.author === id) continue;
      const belief = beliefOn(post.topic);
      const position = belief?.position ?? 0;
      const confidence = belief?.confidence ?? 0;
      const distance = post.stance === undefined ? 0.75 * epsilon : Math.abs(post.stance - position);
      // Bounded confidence: anything within ε / 2 is agreeable, fading linearly to nothing at ε.
      const agreement = Math.min(1, Math.max(0, 2 - (2 * distance) / epsilon));
      const following = follows(state, id, post.author);
      const trust = Math.min(1, baseTrust + (following ? socialRules.followTrustBonus : 0));
      // Strong stances engage more than lukewarm ones, new posts more than old.
      const salience = socialRules.salienceBase + (1 - socialRules.salienceBase) * Math.abs(post.stance ?? 0);
      const freshness = 2 ** (-Math.max(context.step - post.step - 1, 0) / halfLife);
      const appeal = agreement * trust * salience * freshness;
      const author = context.agents.get(post.author)?.spec.name ?? post.author;
      if (!post.likes.has(id)) {
        keep('like', {
          call: { tool: `${state.name}_like`, arguments: { post: post.id } },
          score: socialRules.like * appeal - 0.02,
          note: `like ${post.id} by ${author} (agreement ${agreement.toFixed(2)}, trust ${trust.toFixed(2)})`,
        });
      }
      if (!post.reposts.has(id)) {
        keep('repost', {
          call: { tool: `${state.name}_repost`, arguments: { post: post.id } },
          score: socialRules.repost * appeal * amplification - 0.02,
          note: `repost ${post.id} by ${author} (agreement ${agreement.toFixed(2)}, trust ${trust.toFixed(2)})`,
        });
      }
      if (!following && agreement >= 0.5 && trust >= socialRules.followTrust) {
        keep('follow', {
          call: { tool: `${state.name}_follow`, arguments: { agent: post.author } },
          score: socialRules.follow * appeal - 0.03,
          note: `follow ${author}, who agrees (agreement ${agreement.toFixed(2)})`,
        });
      }
      if (post.stance !== undefined && distance >= epsilon && belief) {
        const farness = Math.min((distance - epsilon) / epsilon, 1);
        const stance = roundStance(position);
        keep('reply', {
          call: {
            tool: `${state.name}_reply`,
            arguments: {
              post: post.id,
              text: `${stanceTag(post.topic, stance)} @${post.author} ${phraseFor(stance, random)}`,
              stance,
            },
          },
          score: socialRules.reply * confidence * farness * salience * freshness - 0.02,
          note: `argue against ${post.id} by ${author} (distance ${distance.toFixed(2)})`,
        });
        if (following) {
          keep('unfollow', {
            call: { tool: `${state.name}_unfollow`, arguments: { agent: post.author } },
            score: 0.06 * confidence - 0.04,
            note: `unfollow ${author}, too far apart (distance ${distance.toFixed(2)})`,
          });
        }
      }
    }
    candidates.push(...best.values());
  }
  return candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort((first, second) => second.candidate.score - first.candidate.score || first.index - second.index)
    .slice(0, socialRules.maxCandidates)
    .map(({ candidate }) => candidate);
}

/** A post sharing the first event of this step that names a topic, if the agent shares it. */
function newsCandidate(
  state: SocialState,
  observation: Observation,
  topics: readonly string[],
  sociability: number,
  random: Random,
): RuleCandidate | undefined {
  for (const event of observation.events) {
    const tag = readStanceTags(event.description).find((entry) =>
      topics.some((topic) => tagMatches(entry.topic, topic)),
    );
    const topic = tag
      ? topics.find((name) => tagMatches(tag.topic, name))
      : topics.find((name) => tagMatches(event.type, name));
    if (topic === undefined) continue;
    if (random.next() >= 0.5 + 0.5 * sociability) return undefined;
    const stance = roundStance(tag?.stance ?? observation.beliefs[topic]?.position ?? 0);
    const body = event.description.replace(stanceTagPattern, '').replace(/\s+/g, ' ').trim();
    return {
      call: {
        tool: `${state.name}_post`,
        arguments: { text: `${stanceTag(topic, stance)} ${body}`, topic, stance },
      },
      score: socialRules.newsScore + socialRules.newsWeight * sociability,
      note: `share the news (${event.type}) on ${topic}`,
    };
  }
  return undefined;
}

/**
 * A topic to post on, drawn with weight |position| × (0.5 + confidence), or 0.5 for a topic without
 * a belief: an agent does not talk about what it has no view on (a rumour nobody has heard yet).
 * When every weight is 0, any topic, uniformly.
 */
function chooseTopic(topics: readonly string[], observation: Observation, random: Random): string {
  let weights = topics.map((topic) => {
    const belief = observation.beliefs[topic];
    return belief ? Math.abs(belief.position) * (0.5 + belief.confidence) : 0.5;
  });
  if (weights.every((weight) => weight <= 0)) weights = topics.map(() => 1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let draw = random.next() * total;
  for (const [index, topic] of topics.entries()) {
    draw -= weights[index] as number;
    if (draw < 0) return topic;
  }
  return topics[topics.length - 1] as string;
}
