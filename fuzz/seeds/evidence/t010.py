def upgrade(:
    op.drop_table('users')
