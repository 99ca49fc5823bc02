import { Args, GraphQLISODateTime, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { AccessReviewService } from './access-review.service';
import { AccessReviewObject, ReportFormat } from './dto/access-review.object';

@Resolver(() => AccessReviewObject)
@Roles(Role.AUDITOR)
export class AccessReviewResolver {
  constructor(private readonly review: AccessReviewService) {}

  @Query(() => AccessReviewObject, { description: 'Per subject and connection: grants held, sessions, statements by kind, blocked attempts, reviews, masked values.' })
  @Roles(Role.AUDITOR)
  accessReview(
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('connection', { nullable: true }) connection?: string,
    @Args('subject', { nullable: true, description: 'sa:<name>, user:<name> or group:<name>' }) subject?: string,
  ): Promise<AccessReviewObject> {
    return this.review.report(from, to, connection ?? undefined, subject ?? undefined);
  }

  @Query(() => String, { description: 'The access review as a CSV or JSON document.' })
  @Roles(Role.AUDITOR)
  accessReviewExport(
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('format', { type: () => ReportFormat, defaultValue: ReportFormat.JSON }) format: ReportFormat,
    @Args('connection', { nullable: true }) connection?: string,
    @Args('subject', { nullable: true }) subject?: string,
  ): Promise<string> {
    return this.review.export(format, from, to, connection ?? undefined, subject ?? undefined);
  }
}
