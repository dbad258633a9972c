// The cold-start floor: a function that holds only the DynamoDB document client and one command. Every
// real function is compared with this bundle, built with the same settings.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { id: string }) =>
  db.send(new GetCommand({ TableName: process.env.REGISTRATIONS_TABLE, Key: { registrationId: event.id } }));
