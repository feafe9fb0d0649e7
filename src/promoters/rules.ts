// Pure rules of promoters: vetting statuses and their moves, who may share, two-level teams,
// invite codes. No I/O, no clock, no randomness (random bytes come in as arguments).
import { SHARE_CODE_ALPHABET, SHARE_CODE_LENGTH, shareCodeFrom } from '../access/rules.ts';

/** The same four as the promoter_profiles CHECK (schema.ts PromoterStatus); rules import no db module. */
export type PromoterStatus = 'pending' | 'approved' | 'suspended' | 'banned';

export const PROMOTER_STATUSES: readonly PromoterStatus[] = ['pending', 'approved', 'suspended', 'banned'];

/** Limits on what a promoter's profile and an operator's page may hold. */
export const AUDIENCE_SIZE_MAX = 100_000_000;
export const CHANNELS_WISHED_MAX = 20;
export const WECHAT_ID_MAX_CHARS = 40;
export const REASON_MAX_CHARS = 500;
export const PROMOTERS_PAGE_MAX = 200;
export const STATUS_HISTORY_MAX = 100;
/** Invite codes: at most this many uses each, this many unrevoked per leader, this many listed. */
export const INVITE_MAX_USES_MAX = 10_000;
export const ACTIVE_INVITES_PER_LEADER_MAX = 50;
export const INVITES_LISTED_MAX = 200;
export const TEAM_PAGE_MAX = 200;

export type VettingAction = 'approve' | 'suspend' | 'ban' | 'reinstate';

/** Where each action may start, and where it leads. Banned is final: no action starts there. */
const MOVES: Record<VettingAction, { from: readonly PromoterStatus[]; to: PromoterStatus }> = {
  approve: { from: ['pending'], to: 'approved' },
  suspend: { from: ['approved'], to: 'suspended' },
  ban: { from: ['pending', 'approved', 'suspended'], to: 'banned' },
  reinstate: { from: ['suspended'], to: 'approved' },
};

export type VettingDecision = { ok: true; to: PromoterStatus } | { ok: false; message: string };

/** The status an action leads to from `from`, or why it is not allowed. */
export function decideVetting(from: PromoterStatus, action: VettingAction): VettingDecision {
  const move = MOVES[action];
  if (move.from.includes(from)) return { ok: true, to: move.to };
  if (from === 'banned') return { ok: false, message: 'This promoter is banned; a ban is final.' };
  const allowed = move.from.join(' or ');
  return { ok: false, message: `Cannot ${action} a promoter who is ${from}: ${action} applies to a ${allowed} promoter.` };
}

/** Only an approved promoter's links and share codes give access, and only they get new links. */
export function mayShare(status: PromoterStatus | null | undefined): boolean {
  return status === 'approved';
}

export interface TeamPosition {
  status: PromoterStatus;
  isLeader: boolean;
  leaderId: string | null;
}

export type TeamRefusal =
  | { code: 'PROMOTER_NOT_APPROVED' | 'TEAM_DEPTH' | 'TEAM_ALREADY_JOINED' | 'NOT_TEAM_LEADER'; message?: string }
  | { code: 'CONFLICT'; message: string };

/** Whether the operator may make (or unmake) this promoter a team leader. Two levels, never deeper. */
export function leaderChangeRefusal(promoter: TeamPosition, makeLeader: boolean, teamSize: number): TeamRefusal | null {
  if (!makeLeader) {
    if (promoter.isLeader && teamSize > 0) {
      return { code: 'CONFLICT', message: `This leader still has ${teamSize} team member(s); a team is never left without its leader.` };
    }
    return null;
  }
  if (promoter.status !== 'approved') return { code: 'PROMOTER_NOT_APPROVED', message: 'Only an approved promoter can become a team leader.' };
  if (promoter.leaderId !== null) return { code: 'TEAM_DEPTH', message: 'This promoter is in a team: a team member cannot become a leader (two levels only).' };
  return null;
}

/**
 * Whether a promoter may join a team. Pending promoters may (leaders recruit newcomers, who are
 * vetted after); suspended and banned ones may not; a leader never joins; members never switch.
 */
export function joinRefusal(member: TeamPosition): TeamRefusal | null {
  if (member.status === 'suspended' || member.status === 'banned') return { code: 'PROMOTER_NOT_APPROVED' };
  if (member.isLeader) return { code: 'TEAM_DEPTH', message: 'A team leader cannot join a team (two levels only).' };
  if (member.leaderId !== null) return { code: 'TEAM_ALREADY_JOINED' };
  return null;
}

/** Whether a leader may hand out invite codes now. */
export function inviteRefusal(leader: TeamPosition): TeamRefusal | null {
  if (!leader.isLeader) return { code: 'NOT_TEAM_LEADER' };
  if (leader.status !== 'approved') return { code: 'PROMOTER_NOT_APPROVED' };
  return null;
}

/** An invite code from random bytes: 8 characters of the share-code alphabet (no 0/O, 1/I/L). */
export function inviteCodeFrom(randomBytes: Uint8Array): string | null {
  return shareCodeFrom(randomBytes);
}

const invitePattern = new RegExp(`^[${SHARE_CODE_ALPHABET}]{${SHARE_CODE_LENGTH}}$`);

/** A typed invite code, upper-cased and trimmed; null when it cannot be one. */
export function normalizeInviteCode(text: string): string | null {
  const code = text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  return invitePattern.test(code) ? code : null;
}

/** Channel ids wished, in order, without repeats. */
export function distinctIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
