// Promoters HTTP: a promoter's own profile, team and invite codes; the operator's vetting and
// team leaders. Another promoter's team or codes are never readable: routes under /me act on the caller.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import {
  AUDIENCE_SIZE_MAX,
  CHANNELS_WISHED_MAX,
  INVITE_MAX_USES_MAX,
  PROMOTERS_PAGE_MAX,
  REASON_MAX_CHARS,
  TEAM_PAGE_MAX,
  WECHAT_ID_MAX_CHARS,
  type VettingAction,
} from './rules.ts';
import type { PromotersService } from './service.ts';

const bearer = [{ bearer: [] }];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Status = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('suspended'), Type.Literal('banned')]);
const Reason = Type.String({ minLength: 1, maxLength: REASON_MAX_CHARS, pattern: '\\S' });
const InviteCode = Type.String({ minLength: 1, maxLength: 32, description: '8 characters; case and spaces do not matter.' });

const ProfileFields = {
  id: Type.String(),
  displayName: Type.String(),
  mobile: Nullable(Type.String({ description: 'Masked, e.g. 138****5678.' })),
  status: Status,
  reason: Nullable(Type.String({ description: 'The reason given with the last status change.' })),
  wechatId: Nullable(Type.String()),
  audienceSize: Type.Integer(),
  channelsWished: Type.Array(Type.String()),
  isLeader: Type.Boolean({ description: 'A team leader (团长).' }),
  leader: Nullable(Type.Object({ id: Type.String(), displayName: Type.String() }, { additionalProperties: false })),
  teamJoinedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};
const Profile = Type.Object(ProfileFields, { additionalProperties: false });
const Detail = Type.Object({
  ...ProfileFields,
  channelIds: Type.Array(Type.String(), { description: 'Channels the promoter belongs to.' }),
  history: Type.Array(Type.Object({
    from: Status,
    to: Status,
    reason: Type.String(),
    by: Type.String({ description: 'The operator who made the change.' }),
    at: Type.String({ format: 'date-time' }),
  }, { additionalProperties: false }), { description: 'Status changes, newest first.' }),
}, { additionalProperties: false });
const Invite = Type.Object({
  code: Type.String(),
  maxUses: Nullable(Type.Integer({ description: 'null: no limit.' })),
  uses: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
}, { additionalProperties: false });
const Member = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  status: Status,
  joinedAt: Nullable(Type.String({ format: 'date-time' })),
  paidOrders: Type.Integer(),
  paidGmvFen: Type.Integer({ description: 'Total of their paid orders, in fen.' }),
}, { additionalProperties: false });

const PromoterParams = Type.Object({ promoterId: Id });

const vetting: Array<{ action: VettingAction; summary: string; description: string; reasonRequired: boolean }> = [
  {
    action: 'approve',
    summary: 'Approve a pending promoter (operator) and add them to channels.',
    description: 'Joins the given channelIds, or by default the channels the promoter wished. CONFLICT unless pending.',
    reasonRequired: false,
  },
  {
    action: 'suspend',
    summary: "Suspend an approved promoter (operator): their links and share codes stop giving access at once; paid orders stand.",
    description: 'CONFLICT unless approved.',
    reasonRequired: true,
  },
  {
    action: 'ban',
    summary: 'Ban a promoter for good (operator): links and share codes stop at once; paid orders stand.',
    description: 'From pending, approved or suspended. A ban is final: CONFLICT for any later change.',
    reasonRequired: true,
  },
  {
    action: 'reinstate',
    summary: 'Reinstate a suspended promoter (operator): their links work again.',
    description: 'CONFLICT unless suspended.',
    reasonRequired: true,
  },
];

export async function promotersRoutes(app: App, promoters: PromotersService): Promise<void> {
  app.get('/api/v1/me/promoter-profile', {
    schema: {
      tags: ['promoters'],
      summary: "The calling promoter's profile: vetting status and reason, team leader or team.",
      security: bearer,
      response: { 200: Profile, ...errorResponses },
    },
  }, async (request) => promoters.profileOf(requireRole(request, 'promoter').userId));

  app.put('/api/v1/me/promoter-profile', {
    schema: {
      tags: ['promoters'],
      summary: 'The calling promoter updates their profile (what operators vet).',
      description: `channelsWished: ids of existing channels, at most ${CHANNELS_WISHED_MAX}; approval joins them by default. wechatId left out or null clears it.`,
      security: bearer,
      body: Type.Object({
        displayName: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }),
        wechatId: Type.Optional(Nullable(Type.String({ maxLength: WECHAT_ID_MAX_CHARS, pattern: '^[A-Za-z0-9_-]*$', description: 'WeChat ID (微信号).' }))),
        audienceSize: Type.Integer({ minimum: 0, maximum: AUDIENCE_SIZE_MAX, description: 'People the promoter reaches (group members, followers).' }),
        channelsWished: Type.Array(Id, { maxItems: CHANNELS_WISHED_MAX, uniqueItems: true }),
      }, { additionalProperties: false }),
      response: { 200: Profile, ...errorResponses },
    },
  }, async (request) => promoters.updateProfile(requireRole(request, 'promoter').userId, request.body));

  app.get('/api/v1/promoters', {
    schema: {
      tags: ['promoters'],
      summary: 'Promoters with their profiles, oldest first, optionally of one status (operator).',
      security: bearer,
      querystring: Type.Object({
        status: Type.Optional(Status),
        limit: Type.Integer({ minimum: 1, maximum: PROMOTERS_PAGE_MAX, default: 50 }),
        after: Type.Optional(Type.String({ maxLength: 120, description: 'The `next` of the previous page.' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Profile), next: Nullable(Type.String()) }), ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    return promoters.list(request.query);
  });

  app.get('/api/v1/promoters/:promoterId', {
    schema: {
      tags: ['promoters'],
      summary: 'One promoter: profile, channels, status history (operator).',
      security: bearer,
      params: PromoterParams,
      response: { 200: Detail, ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    return promoters.detail(request.params.promoterId);
  });

  for (const { action, summary, description, reasonRequired } of vetting) {
    const body = action === 'approve'
      ? Type.Object({
        channelIds: Type.Optional(Type.Array(Id, { maxItems: CHANNELS_WISHED_MAX, uniqueItems: true, description: 'Channels to join; default: those wished.' })),
        reason: Type.Optional(Reason),
      }, { additionalProperties: false })
      : Type.Object({ reason: Reason }, { additionalProperties: false });
    app.post(`/api/v1/promoters/:promoterId/${action}`, {
      schema: { tags: ['promoters'], summary, description: `${description}${reasonRequired ? ' A reason is required.' : ''} Recorded in the history.`, security: bearer, params: PromoterParams, body, response: { 200: Detail, ...errorResponses } },
    }, async (request) => {
      const principal = requireRole(request, 'operator');
      const input = request.body as { reason?: string; channelIds?: string[] };
      return promoters.vet(request.params.promoterId, action, { reason: input.reason, channelIds: input.channelIds }, principal.userId);
    });
  }

  app.post('/api/v1/promoters/:promoterId/leader', {
    schema: {
      tags: ['promoters'],
      summary: 'Make an approved promoter a team leader (团长), or not (operator).',
      description: 'Two levels only: TEAM_DEPTH for a promoter who is in a team. Unmaking a leader who still has members is a CONFLICT.',
      security: bearer,
      params: PromoterParams,
      body: Type.Object({ isLeader: Type.Boolean() }, { additionalProperties: false }),
      response: { 200: Detail, ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    return promoters.setLeader(request.params.promoterId, request.body.isLeader);
  });

  app.post('/api/v1/me/invites', {
    schema: {
      tags: ['promoters'],
      summary: 'A team leader makes an invite code (8 characters) for promoters to join their team.',
      description: 'maxUses left out: no limit. NOT_TEAM_LEADER for a promoter who is not a leader.',
      security: bearer,
      body: Type.Object({ maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: INVITE_MAX_USES_MAX })) }, { additionalProperties: false }),
      response: { 201: Invite, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'promoter');
    return reply.status(201).send(await promoters.createInvite(principal.userId, request.body.maxUses ?? null));
  });

  app.get('/api/v1/me/invites', {
    schema: {
      tags: ['promoters'],
      summary: "The calling leader's invite codes, newest first.",
      security: bearer,
      response: { 200: Type.Object({ items: Type.Array(Invite) }), ...errorResponses },
    },
  }, async (request) => ({ items: await promoters.invitesOf(requireRole(request, 'promoter').userId) }));

  app.post('/api/v1/me/invites/:code/revoke', {
    schema: {
      tags: ['promoters'],
      summary: 'Revoke one of your invite codes: nobody joins with it any more (members stay).',
      security: bearer,
      params: Type.Object({ code: InviteCode }),
      response: { 200: Invite, ...errorResponses },
    },
  }, async (request) => promoters.revokeInvite(requireRole(request, 'promoter').userId, request.params.code));

  app.post('/api/v1/me/team/join', {
    schema: {
      tags: ['promoters'],
      summary: "Join a team leader's team with their invite code. Members stay in their team (no switching).",
      description: 'INVITE_INVALID for an unknown, revoked or used-up code; TEAM_ALREADY_JOINED when in a team; TEAM_DEPTH for a leader.',
      security: bearer,
      body: Type.Object({ inviteCode: InviteCode }, { additionalProperties: false }),
      response: { 200: Profile, ...errorResponses },
    },
  }, async (request) => promoters.joinTeam(requireRole(request, 'promoter').userId, request.body.inviteCode));

  app.get('/api/v1/me/team', {
    schema: {
      tags: ['promoters'],
      summary: "A team leader's members: status, when they joined, paid orders and paid GMV (fen).",
      security: bearer,
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: TEAM_PAGE_MAX, default: 100 }),
        after: Type.Optional(Id),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ members: Type.Array(Member), next: Nullable(Type.String()) }), ...errorResponses },
    },
  }, async (request) => promoters.teamOf(requireRole(request, 'promoter').userId, request.query.limit, request.query.after));
}
