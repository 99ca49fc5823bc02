// RuleTester cases for the require-roles rule (run by the root Vitest config's `tools` project).
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import rule from './require-roles.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never, parserOptions: { ecmaVersion: 2023, sourceType: 'module' } } });

tester.run('require-roles', rule, {
  valid: [
    { name: 'method-level @Roles', code: `class R { @Roles(Role.ADMIN) @Mutation(() => X) create() {} }` },
    { name: 'class-level @Roles covers every method', code: `@Resolver() @Roles(Role.ADMIN) class R { @Query(() => X) a() {} @Mutation(() => X) b() {} }` },
    { name: '@Authenticated on the method', code: `class R { @Query(() => X) @Authenticated() me() {} }` },
    { name: '@Authenticated on the class', code: `@Authenticated() class R { @Subscription(() => X) ticks() {} }` },
    { name: 'namespaced decorators', code: `@auth.Roles('ADMIN') class R { @gql.Query(() => X) a() {} }` },
    { name: 'not an operation', code: `class R { @ResolveField() f() {} helper() {} }` },
    { name: 'custom guard names', code: `class R { @RequirePermission('x') @Query() a() {} }`, options: [{ guards: ['RequirePermission'] }] },
    { name: 'class expression', code: `const R = @Roles('ADMIN') class { @Query() a() {} };` },
  ],
  invalid: [
    { name: 'bare @Query', code: `class R { @Query(() => X) list() {} }`, errors: [{ messageId: 'missing', data: { kind: 'Query', name: 'list' } }] },
    { name: 'bare @Mutation with other decorators', code: `@Resolver() class R { @UseInterceptors(I) @Mutation(() => X) grantAccess() {} }`, errors: [{ messageId: 'missing', data: { kind: 'Mutation', name: 'grantAccess' } }] },
    { name: 'bare @Subscription', code: `class R { @Subscription() events() {} }`, errors: [{ messageId: 'missing', data: { kind: 'Subscription', name: 'events' } }] },
    { name: 'a guard on one method does not cover its neighbour', code: `class R { @Roles('ADMIN') @Query() a() {} @Query() b() {} }`, errors: [{ messageId: 'missing', data: { kind: 'Query', name: 'b' } }] },
    { name: 'arrow-function field', code: `class R { @Query() list = () => [] }`, errors: [{ messageId: 'missing' }] },
    { name: 'a guard name not configured does not count', code: `class R { @Roles('ADMIN') @Query() a() {} }`, options: [{ guards: ['RequirePermission'] }], errors: [{ messageId: 'missing' }] },
  ],
});
