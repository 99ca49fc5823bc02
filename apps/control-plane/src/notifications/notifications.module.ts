import { Module } from '@nestjs/common';
import { DeliverWebhookJobHandler } from './deliver-webhook.job';
import { NotificationsProcessor } from './notifications.processor';
import { WebhookService } from './webhook.service';

@Module({
  providers: [WebhookService, DeliverWebhookJobHandler, NotificationsProcessor],
  exports: [WebhookService],
})
export class NotificationsModule {}
