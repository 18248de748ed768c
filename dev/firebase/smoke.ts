// A quick check that the Firestore and Pub/Sub emulators `firebase emulators:exec` started are usable by the
// official clients: writes and reads back a document, creates a topic and a subscription, and receives a
// published message. Run it under dev/firebase/exec.sh:
//   bash dev/firebase/exec.sh node dev/firebase/smoke.ts

import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';

const projectId = process.env['GCLOUD_PROJECT'] ?? 'demo-warden';
for (const name of ['FIRESTORE_EMULATOR_HOST', 'PUBSUB_EMULATOR_HOST']) {
  if (!process.env[name]) throw new Error(`${name} is not set: run this under dev/firebase/exec.sh`);
}

const db = new Firestore({ projectId });
const ref = db.collection('smoke').doc(`firebase-exec-${process.pid}`);
await ref.set({ at: new Date().toISOString(), via: 'firebase emulators:exec' });
const read = (await ref.get()).data();
if (read?.['via'] !== 'firebase emulators:exec')
  throw new Error(`unexpected document: ${JSON.stringify(read)}`);
await ref.delete();
console.log(`firestore ${process.env['FIRESTORE_EMULATOR_HOST']}: wrote and read back ${ref.path}`);
await db.terminate();

const pubsub = new PubSub({ projectId });
const topicId = `smoke-${process.pid}-${Date.now()}`;
const [topic] = await pubsub.createTopic(topicId);
const [subscription] = await topic.createSubscription(`${topicId}-sub`);
const received = new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no message within 10 s')), 10_000);
  subscription.on('message', (message) => {
    clearTimeout(timer);
    message.ack();
    resolve(message.data.toString());
  });
  subscription.on('error', reject);
});
await topic.publishMessage({ data: Buffer.from('hello') });
const text = await received;
if (text !== 'hello') throw new Error(`unexpected message: ${text}`);
console.log(`pubsub ${process.env['PUBSUB_EMULATOR_HOST']}: ${topic.name} delivered "${text}"`);
await subscription.close();
await subscription.delete();
await topic.delete();
await pubsub.close();
