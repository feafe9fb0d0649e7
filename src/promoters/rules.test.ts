// Every vetting move from every status, who may share, the two-level team rules, invite codes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PROMOTER_STATUSES, decideVetting, inviteCodeFrom, inviteRefusal, joinRefusal, leaderChangeRefusal, mayShare, normalizeInviteCode, type VettingAction } from './rules.ts';

describe('promoter rules', () => {
  it('allows exactly these vetting moves; banned is final', () => {
    const allowed: Record<string, string> = {
      'pending approve': 'approved',
      'pending ban': 'banned',
      'approved suspend': 'suspended',
      'approved ban': 'banned',
      'suspended reinstate': 'approved',
      'suspended ban': 'banned',
    };
    for (const from of PROMOTER_STATUSES) {
      for (const action of ['approve', 'suspend', 'ban', 'reinstate'] as VettingAction[]) {
        const decision = decideVetting(from, action);
        const expected = allowed[`${from} ${action}`];
        if (expected) assert.deepEqual(decision, { ok: true, to: expected }, `${from} ${action}`);
        else {
          assert.equal(decision.ok, false, `${from} ${action}`);
          if (!decision.ok && from === 'banned') assert.match(decision.message, /final/);
        }
      }
    }
  });

  it('lets only approved promoters share', () => {
    assert.deepEqual(PROMOTER_STATUSES.filter((s) => mayShare(s)), ['approved']);
    assert.equal(mayShare(null), false);
    assert.equal(mayShare(undefined), false);
  });

  it('keeps teams to two levels', () => {
    const approved = { status: 'approved' as const, isLeader: false, leaderId: null };
    assert.equal(leaderChangeRefusal(approved, true, 0), null);
    assert.equal(leaderChangeRefusal({ ...approved, leaderId: 'usr_l' }, true, 0)?.code, 'TEAM_DEPTH');
    assert.equal(leaderChangeRefusal({ ...approved, status: 'pending' }, true, 0)?.code, 'PROMOTER_NOT_APPROVED');
    assert.equal(leaderChangeRefusal({ ...approved, isLeader: true }, false, 2)?.code, 'CONFLICT');
    assert.equal(leaderChangeRefusal({ ...approved, isLeader: true }, false, 0), null);
    assert.equal(joinRefusal(approved), null);
    assert.equal(joinRefusal({ ...approved, status: 'pending' }), null, 'newcomers join before vetting');
    assert.equal(joinRefusal({ ...approved, isLeader: true })?.code, 'TEAM_DEPTH');
    assert.equal(joinRefusal({ ...approved, leaderId: 'usr_l' })?.code, 'TEAM_ALREADY_JOINED');
    for (const status of ['suspended', 'banned'] as const) assert.equal(joinRefusal({ ...approved, status })?.code, 'PROMOTER_NOT_APPROVED');
    assert.equal(inviteRefusal(approved)?.code, 'NOT_TEAM_LEADER');
    assert.equal(inviteRefusal({ ...approved, isLeader: true }), null);
    assert.equal(inviteRefusal({ ...approved, isLeader: true, status: 'suspended' })?.code, 'PROMOTER_NOT_APPROVED');
  });

  it('makes invite codes people can type back, loosely', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), (bytes) => {
      const code = inviteCodeFrom(bytes);
      return code === null || (normalizeInviteCode(` ${code.toLowerCase()} `) === code && code.length === 8);
    }));
    assert.equal(normalizeInviteCode('ＨＳ７Ｋ２Ｍ９Ｑ'), 'HS7K2M9Q');
    for (const bad of ['', 'HS7K2M9', 'HS7K2M9QQ', 'HS7K2M0Q', 'HS7K2MIQ']) assert.equal(normalizeInviteCode(bad), null, bad);
  });
});
