// The bare DynamoDB work of each wizard step: the same GetItem/PutItem/UpdateItem/DeleteItem/
// TransactWriteItems calls, in the same order and with the same consistency, issued directly with a
// document client against items copied from a real registration. A step's latency is compared with this.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableName } from '../../lambdas/tables.ts';

type Item = Record<string, unknown>;

export interface Templates {
  /** A completed registration; each step writes it with the fields it has by then. */
  registration: Item;
  credential: Item;
  customer: Item;
  code: Item;
  user: Item;
  outbox: Item;
}

/** Fields of the registration each step adds, in wizard order. */
const fieldsAddedBy: Record<string, string[]> = {
  'choose-username': ['username'],
  'create-password': ['passwordHash'],
  'choose-security-image': ['imageId'],
  'update-contact': ['homePhone', 'workPhone'],
  'answer-challenge-questions': ['answers', 'terms'],
  'choose-second-factor': ['secondFactor'],
};
const laterFields = (step: string): string[] => {
  const order = Object.keys(fieldsAddedBy);
  const index = order.indexOf(step);
  return order.slice(index === -1 ? 0 : index + 1).flatMap((s) => fieldsAddedBy[s] ?? []);
};

async function firstItem(db: DynamoDBDocumentClient, table: string, prefix?: string): Promise<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    const found = (page.Items ?? []).find((item) => !prefix || String(item.pk).startsWith(prefix));
    if (found) return found;
    start = page.LastEvaluatedKey;
  } while (start);
  throw new Error(`no item${prefix ? ` ${prefix}*` : ''} in ${table}`);
}

/** Copies the items one completed registration left behind. */
export async function readTemplates(
  db: DynamoDBDocumentClient,
  tables: Record<TableName, string>,
  registrationId: string,
): Promise<Templates> {
  const get = async (table: string, key: Item) => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    if (!Item) throw new Error(`no item ${JSON.stringify(key)} in ${table}`);
    return Item;
  };
  const registration = await get(tables.registrations, { registrationId });
  return {
    registration,
    credential: await firstItem(db, tables.customers, 'CREDENTIAL#'),
    customer: await get(tables.customers, { pk: `CUSTOMER#${registration.customerId}` }),
    code: await get(tables.codes, { registrationId }),
    user: await firstItem(db, tables.users, 'CUSTOMER#'),
    outbox: await firstItem(db, tables.outbox),
  };
}

/** One function per wizard step; each call is one complete sequence of that step's DynamoDB calls. */
export function bareSteps(
  db: DynamoDBDocumentClient,
  tables: Record<TableName, string>,
  t: Templates,
): Record<string, () => Promise<void>> {
  let n = 0;
  let id = '';
  const registrationAt = (step: string, extra: Item = {}): Item => {
    const item: Item = { ...t.registration, registrationId: id, status: 'open', ...extra };
    for (const field of laterFields(step)) delete item[field];
    return item;
  };
  const getRegistration = () =>
    db.send(
      new GetCommand({ TableName: tables.registrations, Key: { registrationId: id }, ConsistentRead: true }),
    );
  const putRegistration = (item: Item) => ({
    TableName: tables.registrations,
    Item: item,
    ConditionExpression: '#status = :open',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':open': 'open' },
  });
  const saveRegistration = (step: string) => db.send(new PutCommand(putRegistration(registrationAt(step))));
  const getCustomer = () =>
    db.send(new GetCommand({ TableName: tables.customers, Key: { pk: t.customer.pk } }));
  const touch = () =>
    db.send(
      new UpdateCommand({
        TableName: tables.registrations,
        Key: { registrationId: id },
        UpdateExpression: 'SET lastSeenAt = :now',
        ConditionExpression: '#status = :open AND lastSeenAt < :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': Date.now() + n, ':open': 'open' },
      }),
    );
  const counter = (pk: string) =>
    db.send(
      new UpdateCommand({
        TableName: tables.limits,
        Key: { pk },
        UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(pk) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':max': 1_000_000_000, ':ttl': 4_000_000_000 },
      }),
    );
  const codeKey = () => ({ registrationId: id });

  return {
    'start-registration': async () => {
      n += 1;
      id = `bare-${process.pid}-${n}`;
      await counter('bare-ip');
      await db.send(
        new UpdateCommand({
          TableName: tables.limits,
          Key: { pk: `bare-pin-${n}` },
          UpdateExpression: 'SET tries = if_not_exists(tries, :zero) + :one, #ttl = :ttl',
          ConditionExpression:
            'attribute_not_exists(lockedUntil) AND (attribute_not_exists(tries) OR tries < :max)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': 3, ':ttl': 4_000_000_000 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      await db.send(new GetCommand({ TableName: tables.customers, Key: { pk: t.credential.pk } }));
      await getCustomer();
      await db.send(
        new DeleteCommand({
          TableName: tables.limits,
          Key: { pk: `bare-pin-${n}` },
          ConditionExpression: 'attribute_not_exists(lockedUntil)',
        }),
      );
      await db.send(
        new GetCommand({ TableName: tables.users, Key: { pk: `CUSTOMER#bare-${n}` }, ConsistentRead: true }),
      );
      await db.send(
        new PutCommand({
          TableName: tables.registrations,
          Item: registrationAt('start-registration'),
          ConditionExpression: 'attribute_not_exists(registrationId)',
        }),
      );
    },
    'send-otp': async () => {
      await getRegistration();
      await db.send(new GetCommand({ TableName: tables.codes, Key: codeKey(), ConsistentRead: true }));
      await getCustomer();
      await counter(`bare-sms-${n}`);
      await db.send(
        new UpdateCommand({
          TableName: tables.codes,
          Key: codeKey(),
          UpdateExpression:
            'SET codeHmac = :code, expiresAt = :expires, lastSentAt = :now, attempts = :zero, used = :false, sends = if_not_exists(sends, :zero) + :one, #ttl = :ttl',
          ConditionExpression:
            'attribute_not_exists(registrationId) OR (sends < :maxSends AND lastSentAt <= :cooledDown)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':code': t.code.codeHmac,
            ':expires': t.code.expiresAt,
            ':now': t.code.lastSentAt,
            ':zero': 0,
            ':one': 1,
            ':false': false,
            ':ttl': 4_000_000_000,
            ':maxSends': 3,
            ':cooledDown': 0,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      await saveRegistration('send-otp');
    },
    'verify-otp': async () => {
      await getRegistration();
      await db.send(
        new UpdateCommand({
          TableName: tables.codes,
          Key: codeKey(),
          UpdateExpression: 'SET attempts = attempts + :one',
          ConditionExpression: 'attribute_exists(registrationId) AND used = :false AND attempts < :max',
          ExpressionAttributeValues: { ':one': 1, ':false': false, ':max': 3 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: putRegistration(registrationAt('verify-otp')) },
            {
              Update: {
                TableName: tables.codes,
                Key: codeKey(),
                UpdateExpression: 'SET used = :true',
                ConditionExpression: 'codeHmac = :code AND used = :false',
                ExpressionAttributeValues: { ':code': t.code.codeHmac, ':true': true, ':false': false },
              },
            },
          ],
        }),
      );
    },
    'choose-username': async () => {
      await getRegistration();
      await db.send(
        new GetCommand({ TableName: tables.users, Key: { pk: `USERNAME#bare-${n}` }, ConsistentRead: true }),
      );
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: putRegistration(registrationAt('choose-username')) },
            {
              Put: {
                TableName: tables.users,
                Item: {
                  pk: `USERNAME#bare-${n}`,
                  kind: 'reservation',
                  username: t.registration.username,
                  registrationId: id,
                  expiresAt: 4_000_000_000_000,
                  ttl: 4_000_000_000,
                },
                ConditionExpression:
                  'attribute_not_exists(pk) OR (registrationId = :holder AND kind = :reservation)',
                ExpressionAttributeValues: { ':holder': id, ':reservation': 'reservation' },
              },
            },
          ],
        }),
      );
    },
    'create-password': async () => {
      await getRegistration();
      await saveRegistration('create-password');
    },
    'list-security-images': async () => {
      await getRegistration();
      await touch();
    },
    'choose-security-image': async () => {
      await getRegistration();
      await saveRegistration('choose-security-image');
    },
    'update-contact': async () => {
      await getRegistration();
      await saveRegistration('update-contact');
    },
    'list-challenge-questions': async () => {
      await getRegistration();
      await touch();
    },
    'answer-challenge-questions': async () => {
      await getRegistration();
      await saveRegistration('answer-challenge-questions');
    },
    'choose-second-factor': async () => {
      await getRegistration();
      await saveRegistration('choose-second-factor');
    },
    'complete-registration': async () => {
      await getRegistration();
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: putRegistration(registrationAt('complete-registration', { status: 'completed' })) },
            {
              Put: {
                TableName: tables.users,
                Item: { ...t.user, pk: `CUSTOMER#bare-${n}` },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tables.users,
                Item: {
                  pk: `USERNAME#bare-${n}`,
                  kind: 'user',
                  username: t.registration.username,
                  userId: `bare-${n}`,
                  registrationId: id,
                },
                ConditionExpression: 'registrationId = :me AND kind = :reservation',
                ExpressionAttributeValues: { ':me': id, ':reservation': 'reservation' },
              },
            },
            {
              Put: {
                TableName: tables.outbox,
                Item: { ...t.outbox, messageId: `bare-${n}` },
                ConditionExpression: 'attribute_not_exists(messageId)',
              },
            },
          ],
        }),
      );
    },
  };
}
